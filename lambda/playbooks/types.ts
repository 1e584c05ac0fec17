import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { GuardVerdict } from '../guards/types';
import type { ReadLog } from '../plan/reads';
import type { PlannedStep, StepSpec } from '../plan/types';
import type { PlaybookName } from '../routing/playbook-names';

/** Who the responder is, so it never acts on itself. */
export interface ResponderIdentity {
  /** IAM role names the responder runs as (its own Lambda roles, the member role). Never revoked. */
  readonly protectedRoleNames: readonly string[];
}

export interface PlanningInput<Facts> {
  readonly finding: Finding;
  readonly facts: Facts;
  readonly config: RuntimeConfig;
  readonly incidentId: string;
  readonly now: Date;
  readonly responder: ResponderIdentity;
}

export interface PlaybookPlan {
  /** Ordered steps (the notification step is added by the responder). */
  readonly steps: PlannedStep[];
  /** Things the reader must know: what the plan cannot do, what stays open. */
  readonly warnings: string[];
  /** Playbook-specific refusals (a service-linked role, the responder's own role, ...). */
  readonly verdicts: GuardVerdict[];
  /** Current tags of the resource, for the exempt-tag guard. */
  readonly resourceTags: Readonly<Record<string, string>>;
  /** What the playbook learned about the resource, for the report (JSON-serialisable). */
  readonly resource: Readonly<Record<string, unknown>>;
}

/**
 * A playbook: reads what it needs, then plans. It never executes anything
 * itself; the executor does, so a dry-run runs the very same plan.
 */
export interface Playbook<Facts> {
  readonly name: PlaybookName;
  readonly description: string;
  /** Every kind of step the playbook can plan or read with. Its role is derived from these. */
  readonly stepSpecs: readonly StepSpec[];
  /** Read-only calls that describe the resource now. */
  discover(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<Facts>;
  /** The same facts taken from the finding alone, for `ir plan --offline`. */
  offlineFacts(finding: Finding): Facts;
  plan(input: PlanningInput<Facts>): PlaybookPlan;
}

/** Methods (not function properties) keep playbooks of different facts assignable to this. */
export type AnyPlaybook = Playbook<unknown>;
