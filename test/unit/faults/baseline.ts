import { RECORD_FUNCTION_RESTORE_STATE } from '../../../lambda/playbooks/contain-function/specs';
import type { AwsClients } from '../../../lambda/aws/clients';
import { RECORD_BUCKET_RESTORE_STATE } from '../../../lambda/playbooks/block-public-access/specs';
import { RECORD_OBJECT_RESTORE_STATE } from '../../../lambda/playbooks/quarantine-object/specs';
import { executePlan } from '../../../lambda/plan/executor';
import { RECORD_DATABASE_RESTORE_STATE } from '../../../lambda/playbooks/contain-database/specs';
import { RECORD_IMAGE_RESTORE_STATE } from '../../../lambda/playbooks/quarantine-image/specs';
import { RECORD_RESTORE_STATE } from '../../../lambda/playbooks/contain-instance/specs';
import { RECORD_KEY_RESTORE_STATE } from '../../../lambda/playbooks/revoke-credentials/specs';
import { RECORD_TASK_STATE } from '../../../lambda/playbooks/contain-task/specs';
import type { PlannedStep, StepOutcome } from '../../../lambda/plan/types';
import { preparePlan, type RespondOptions } from '../../../lambda/respond/respond';
import { enforceConfig, NOW, RESPONDER, WITHOUT_SECURITY_HUB_NOTE } from '../../support/aws-mocks/contain-finding';
import { answerFromWorld, defaultWorld } from '../../support/aws-mocks/contain-world';
import { guardDutyHolds, heldFinding } from '../../support/aws-mocks/guardduty';
import { readSignature, stepSignature, type CallSignature } from './call-matching';
import { faultyClients, type SentCall } from './faulty-clients';
import { TOPIC_ARN, type FaultScenario, type MatrixMocks } from './scenarios';

/*
 * One fault-free run of a scenario, and what the matrix derives from it:
 * every read and every step that made a call (a step that skips itself at
 * run time makes none), the call that is theirs, and (from the plan's
 * `requires`) which steps cannot run when a step fails.
 */

/** A read or a step the matrix makes fail. */
export interface Target {
  readonly kind: 'read' | 'step';
  /** The step kind (of the read or the step), for coverage. */
  readonly stepKind: string;
  readonly id: string;
  /** What the notification prints for it: `title [action on target]`. */
  readonly title: string;
  readonly action: string;
  readonly target: string;
  /** Reads never are. */
  readonly mutating: boolean;
  readonly call: CallSignature;
  /** Steps that require this one, directly or through others: they are skipped when it fails. */
  readonly dependents: ReadonlySet<string>;
}

export interface Baseline {
  readonly steps: readonly PlannedStep[];
  /** In plan order. */
  readonly outcomes: readonly StepOutcome[];
  readonly reads: readonly StepOutcome[];
  readonly blockedBy: readonly string[];
  readonly sent: readonly SentCall[];
  readonly targets: readonly Target[];
}

/** Resets the mocks to a fresh account of the scenario. */
export function freshAccount(mocks: MatrixMocks, scenario: FaultScenario): void {
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  // The security account's detector holds the finding: the confirmation's two reads are cells of the matrix too.
  guardDutyHolds(mocks.guardDuty, [heldFinding(scenario.finding())]);
  scenario.arrange(mocks, world);
}

export function respondOptions(clients: AwsClients, scenario?: FaultScenario): RespondOptions & { readonly clients: AwsClients } {
  // The Security Hub note (on by default) has its own fault tests (test/unit/close-loop/): the matrix covers the playbooks' calls.
  return { config: enforceConfig({ ...WITHOUT_SECURITY_HUB_NOTE, ...scenario?.config }), clients, dryRun: false, topicArn: TOPIC_ARN, responder: RESPONDER, now: () => NOW };
}

export function dependentsOf(stepId: string, steps: readonly PlannedStep[]): Set<string> {
  const dependents = new Set<string>();
  let frontier = [stepId];
  while (frontier.length > 0) {
    const next = steps.filter((s) => !dependents.has(s.id) && s.requires.some((id) => frontier.includes(id))).map((s) => s.id);
    for (const id of next) dependents.add(id);
    frontier = next;
  }
  return dependents;
}

/**
 * Plans and executes as respond() does, but keeps the step outputs (the
 * ids of the groups it created), which a step's request is resolved with.
 */
export async function runBaseline(mocks: MatrixMocks, scenario: FaultScenario): Promise<Baseline> {
  freshAccount(mocks, scenario);
  const { clients, sent } = faultyClients();
  const prepared = await preparePlan(scenario.finding(), respondOptions(clients, scenario));
  const outputs = new Map<string, unknown>();
  const outcomes = await executePlan(prepared.steps, { clients, outputs, outcomes: [], now: () => NOW }, { blockedBy: prepared.document.blockedBy });
  const { reads, blockedBy } = prepared.document;
  // The account's alias (lambda/notify/account-alias.ts) is a courtesy read: a fault there is reported skipped and
  // shows the id, never a failure (test/unit/notify/account-alias.test.ts); it is no cell of this matrix.
  const readTargets = reads.filter((read) => read.action !== 'iam:ListAccountAliases').map(
    (read): Target => ({
      kind: 'read',
      // Read ids are `read:<kind>:<target>`.
      stepKind: read.id.split(':')[1]!,
      id: read.id,
      title: read.title,
      action: read.action,
      target: read.target,
      mutating: false,
      call: readSignature(read, reads, sent),
      dependents: new Set(),
    }),
  );
  // The restore record is a ledger write: the matrix runs without the ledger (as without the claim and the brake), so the step makes no call here.
  // test/unit/ledger/restore-record-steps.test.ts breaks it with each fault.
  const restoreRecords: readonly string[] = [
    RECORD_RESTORE_STATE.kind,
    RECORD_KEY_RESTORE_STATE.kind,
    RECORD_FUNCTION_RESTORE_STATE.kind,
    RECORD_BUCKET_RESTORE_STATE.kind,
    RECORD_OBJECT_RESTORE_STATE.kind,
    RECORD_TASK_STATE.kind,
    RECORD_DATABASE_RESTORE_STATE.kind,
    RECORD_IMAGE_RESTORE_STATE.kind,
  ];
  const calling = prepared.steps.filter((step, index) => outcomes[index]?.status === 'done' && !restoreRecords.includes(step.kind));
  const stepTargets = calling.map(
    (step): Target => ({
      kind: 'step',
      stepKind: step.kind,
      id: step.id,
      title: step.title,
      action: step.action,
      target: step.target,
      mutating: step.mutating,
      call: stepSignature(step, outputs),
      dependents: dependentsOf(step.id, prepared.steps),
    }),
  );
  return { steps: prepared.steps, outcomes, reads, blockedBy, sent, targets: [...readTargets, ...stepTargets] };
}
