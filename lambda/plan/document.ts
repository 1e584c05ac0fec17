import type { StepApproval } from '../approval/types';
import type { StepError } from '../aws/errors';
import type { GuardVerdict } from '../guards/types';
import type { PlaybookName } from '../routing/playbook-names';
import type { PlannedStep, StepEvidence, StepOutcome, StepStatus } from './types';

/** A planned step as JSON: everything but the code that runs it. */
export interface StepDocument {
  readonly id: string;
  readonly title: string;
  readonly action: string;
  readonly iamActions: readonly string[];
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly mutating: boolean;
  readonly why: string;
  readonly stage: number;
  readonly requires: readonly string[];
  /** The approval policy's decision on this change and the rule that gave it (lambda/approval/); absent when none applies. */
  readonly approval?: StepApproval;
}

/**
 * Where a response stands with the approval its changes need (lambda/approval/, lambda/respond/phases.ts):
 * absent when nothing waited. The plan hash binds a decision to the exact steps shown.
 */
export interface ApprovalState {
  readonly status: 'awaiting' | 'approved' | 'denied' | 'timed-out-acted' | 'timed-out-stood-down' | 'asked-again' | 'cannot-wait';
  readonly planHash: string;
  /** The steps that wait (or waited) for the decision. */
  readonly steps: readonly string[];
  readonly deadline?: string;
  readonly onTimeout?: 'act' | 'stand-down';
  /** Who decided, when, through which channel (absent: no decision, the deadline passed). */
  readonly decision?: { readonly by: string; readonly at: string; readonly channel: string; readonly reason?: string };
  /** asked-again: the steps of the new plan the approval did not cover; cannot-wait: why. */
  readonly detail?: string;
}

export interface PlanDocument {
  readonly playbook: PlaybookName;
  readonly findingId: string;
  readonly findingType: string;
  readonly severity: number;
  readonly accountId: string | null;
  readonly region: string | null;
  readonly incidentId: string;
  readonly dryRun: boolean;
  readonly offline: boolean;
  readonly route: { readonly ruleId: string; readonly why: string };
  readonly blockedBy: readonly string[];
  readonly guards: readonly GuardVerdict[];
  readonly warnings: readonly string[];
  readonly resource: Readonly<Record<string, unknown>>;
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepDocument[];
  readonly approval?: ApprovalState;
  /** Where the request came from, as its sender said (the Security Hub console's custom action: lambda/approval/security-hub-action.ts). */
  readonly requestedBy?: Readonly<Record<string, string>>;
}

export interface StepReport extends StepDocument {
  readonly status: StepStatus;
  readonly detail?: string;
  readonly evidence?: StepEvidence;
  readonly reason?: string;
  readonly error?: StepError;
  /** Failed, leaving this more exposed than before the response (an ENI on the allow-all group). */
  readonly exposed?: string;
  readonly durationMs: number;
}

/** Where the Lambda recorded the incident (lambda/ledger/), and whether that write succeeded. */
export interface LedgerEntry {
  readonly table: string;
  readonly key: string;
  readonly recorded: boolean;
  readonly error?: StepError;
  /**
   * Another delivery took the incident's claim over before this one wrote its outcome (this one overran its lease,
   * or did not hold the claim to act): this response is not in the ledger, which holds the other's. recorded is false.
   */
  readonly superseded?: true;
}

export interface Report extends Omit<PlanDocument, 'steps'> {
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Only when the response ran with the incident ledger (the Lambda handlers). */
  readonly ledger?: LedgerEntry;
}

export function stepDocument(step: PlannedStep): StepDocument {
  return {
    id: step.id,
    title: step.title,
    action: step.action,
    iamActions: step.iamActions,
    target: step.target,
    parameters: step.parameters,
    mutating: step.mutating,
    why: step.why,
    stage: step.stage,
    requires: step.requires,
    ...(step.approval ? { approval: step.approval } : {}),
  };
}

export function stepReport(step: StepDocument, outcome: StepOutcome): StepReport {
  return {
    ...step,
    status: outcome.status,
    ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
    ...(outcome.evidence !== undefined ? { evidence: outcome.evidence } : {}),
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.exposed !== undefined ? { exposed: outcome.exposed } : {}),
    durationMs: outcome.durationMs,
  };
}

export function summarize(outcomes: readonly { status: StepStatus }[]): Report['summary'] {
  return {
    done: outcomes.filter((o) => o.status === 'done').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
  };
}
