import type { AwsClients } from '../aws/clients';
import type { ChangeClass } from '../approval/types';
import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { GuardVerdict } from '../guards/types';
import type { RestoreLedger } from '../ledger/restore-record';
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

/** The first steps of a plan, planned before every read is in, with what the guards need to decide on them. */
export interface FirstSteps {
  readonly steps: PlannedStep[];
  readonly verdicts: GuardVerdict[];
  readonly resourceTags: Readonly<Record<string, string>>;
}

/**
 * Discovery in two parts, from one set of reads started at once: `first`
 * settles as soon as the first steps can be planned, `all` when every read
 * is in. `plan()` of the facts of `all` begins with exactly the first steps
 * and has the same verdicts and tags, so what runs early is the plan shown.
 */
export interface StagedDiscovery<Facts> {
  readonly first: Promise<FirstSteps>;
  readonly all: Promise<Facts>;
}

/** What discovery may read besides the finding's account: the ledger's restore records (absent: no ledger, as for `ir plan`). */
export interface DiscoveryContext {
  readonly restoreLedger?: RestoreLedger;
  /**
   * The response will act on what it finds, and nothing known before any call says stop (not a dry-run, the
   * finding's own guards pass, its isolation waits for no one): contain-instance may send its first isolation
   * move before reading (lambda/playbooks/contain-instance/early/). Never set for a plan only shown.
   */
  readonly earlyMove?: EarlyMoveGate;
}

/** What the checks answered by the time the first reads are in (lambda/respond/early-move-allowed.ts). */
export interface EarlyMoveGate {
  /**
   * false: a check already says stop (GuardDuty's confirmation, awaited here: it runs beside the first reads; a guard
   * on the resource's tags as read, the exempt tag). The ledger's claim and brake and the restore record are not awaited
   * here (mayMoveByReadId reads what the ledger has answered by then).
   */
  mayContinue(resourceTags: Readonly<Record<string, string>>): Promise<boolean>;
  /**
   * Before the moves by ENI id (sent once the instance's read is in): true only for a delivery no other can be moving
   * the same interfaces beside (it opened its resource's incident, or holds the claim; no ledger at all), so two
   * deliveries of one finding never both move them. Never rejects (false when the ledger failed).
   */
  mayMoveByReadId(): Promise<boolean>;
  /** When the response started (the finding's age is judged from it: a finding generated long ago is likely answered already). */
  readonly respondingAt: Date;
  /**
   * The isolation moves are sent, or none will be (idempotent): the reads isolation does not wait for may go
   * (lambda/respond/isolation-first.ts). The discovery must call it on every path, or those reads never start.
   */
  isolationSent(): void;
  /** Settles after isolationSent: the discovery's reads that isolation does not wait for start then. */
  readonly afterIsolationSent: Promise<void>;
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
  /**
   * Change classes the plan gives steps in place of their specs' own (contain-eks and contain-task give
   * contain-instance's steps the class contain-node). The approval policy (lambda/approval/annotate.ts) must know
   * them: a class with a built-in default other than auto waits even without an `approval` key.
   */
  readonly planChangeClasses?: readonly ChangeClass[];
  /** Read-only calls that describe the resource now. */
  discover(finding: Finding, clients: AwsClients, reads: ReadLog, context?: DiscoveryContext): Promise<Facts>;
  /**
   * Optional: the same reads as `discover`, for a playbook whose first steps
   * must not wait for reads they do not need (contain-instance: isolation
   * does not wait for the Auto Scaling, target group, profile and snapshot reads).
   */
  discoverStaged?(finding: Finding, clients: AwsClients, reads: ReadLog, context?: DiscoveryContext): StagedDiscovery<Facts>;
  /** The same facts taken from the finding alone, for `ir plan --offline`. */
  offlineFacts(finding: Finding): Facts;
  plan(input: PlanningInput<Facts>): PlaybookPlan;
}

/** Methods (not function properties) keep playbooks of different facts assignable to this. */
export type AnyPlaybook = Playbook<unknown>;

/** The playbooks a process carries: every one for `ir` and the tests (registry.ts), its own for a Lambda bundle. */
export type PlaybookCatalog = Partial<Readonly<Record<PlaybookName, AnyPlaybook>>>;
