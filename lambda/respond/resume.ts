import { closesWhileHeld } from '../approval/split';
import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { ApprovalEvent } from '../approval/events';
import { retakeable, type PendingApproval } from '../approval/pending';
import { randomUUID } from 'node:crypto';
import { checkReplan, withFirstActOutputs } from '../approval/replan-check';
import { publishOnce } from '../notify/publish-once';
import type { ApprovalState, Report } from '../plan/document';
import type { PlannedStep, StepOutcome } from '../plan/types';
import type { GuardVerdict } from '../guards/types';
import type { PlaybookCatalog } from '../playbooks/types';
import type { PlaybookName } from '../routing/playbook-names';
import { Acting } from './act';
import type { PlanShaper } from './assemble';
import { finishReport } from './execute';
import type { SettledGate } from './gate';
import type { PreparedPlan, RespondOptions } from './options';
import { resumeInPhases } from './phases';
import { parseWaitingState, waitingStepsOf, waitSchedules, waitShaper, writeWaitSchedules, type ApprovalWaitOptions, type WaitingState } from './wait';
import { NOTIFICATION_STEP_IDS } from '../notify/document';
import { isCloseLoopStep } from '../close-loop/ids';
import { INCIDENT_KEY_PREFIX, type IncidentLedger } from '../ledger/incident-ledger';
import { answerOf, type Answer } from '../ledger/answered';
import { carryingFirstAct } from './first-act-steps';
import { approvalDeadline, deadlineHasCome } from '../approval/deadline';
import { toStepError } from '../aws/errors';
import { APPROVAL_REQUEST_STEP_ID } from '../approval/step-ids';
import type { ContainmentBrake } from '../ledger/brake';
import { blockingGuardIds } from '../guards';
import { actsInFindingAccount } from '../routing/playbook-names';
import { holdResumeBrake, type ResumeBrakeHold } from './resume-brake';
import { keepApproved, refusedSinceApproval } from '../approval/kept-approval';
import { neverRuns } from '../approval/split';

/*
 * The second `act` of a response that waited (lambda/respond/wait.ts), in a
 * later invocation: on the decision, or at the deadline, or to escalate.
 * The event names only the incident; everything else is read from the
 * pending approval in the ledger. A decided (or expired) request is taken
 * with a lease (PendingApprovals.take): another event for it does nothing
 * while the lease runs; the same invocation retried by Lambda, or any event
 * after the lease ran out (a crash), takes it again and runs the act again
 * (every change is read before it is made, as in a retried first act). The
 * recorded outcome closes it for good.
 *
 * To act, the resource is read again and the plan made again through the
 * same phase functions as the first run (phases.ts resumeInPhases: route,
 * reach, read, plan, guard; the ledger's claim is the request taken, not the incident's): every guard decides again, GuardDuty
 * confirms again. If the steps that need a decision are no longer covered by
 * the approved ones (a step added, or its target or parameters changed), the
 * decision is asked for again (a new request, a new plan hash) and nothing
 * is done. Else the approved steps run, then the close-loop steps, the
 * notification and the evidence; the steps of the first act are reported as
 * they ended then, never run again. The decided steps are the approved ones
 * (kept-approval.ts), whatever the policy says of them now, except one it now
 * says `never` to: not run, reported with its rule. Before the approved changes run, the
 * blast-radius brake is taken as for any acting response (resume-brake.ts):
 * latched, full or unreadable, nothing is changed ("BRAKE ON - NOT
 * CONTAINED"), the request is given back to the people (pending again, with a
 * new deadline and escalation, at which it stands down, never acts) and the incident keeps awaiting approval, so a
 * new decision after `ir brake release` acts. Denied, or no decision by the deadline
 * with onTimeout stand-down: the waiting steps are reported not run, the
 * team is told. The incident's record in the ledger takes the final report.
 */

export type ResumeOutcome =
  | { readonly status: 'nothing-to-do'; readonly incidentId: string; readonly reason: string }
  | { readonly status: 'escalated'; readonly incidentId: string; readonly messageId: string | undefined }
  | { readonly status: 'resumed'; readonly incidentId: string; readonly report: Report };

export type ResumeOptions = RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess }) & {
  readonly approval: ApprovalWaitOptions;
  /** The incident's record, which takes the final report (absent: a run without the stack's ledger). */
  readonly incidents?: IncidentLedger;
  /** The blast-radius brake the approved changes are held to (the stack's; absent: a run without the stack's ledger). */
  readonly brake?: ContainmentBrake;
  /** The resuming invocation (Lambda's request id, the same in its retries): it holds the take's lease. Absent: a fresh id. */
  readonly invocationId?: string;
  /** Whether the invocation fails on this report so that Lambda retries it (the runtime's retry policy): the take is then given back, not closed. */
  readonly willRetry?: (report: Report) => boolean;
};

/** How long a take holds the request beyond the invocation's own deadline: a retry before then is the same invocation's, or waits. */
export const RESUME_LEASE_MARGIN_MS = 2 * 60_000;
/** An invocation that names no deadline holds it for Lambda's longest run. */
const LONGEST_RUN_MS = 15 * 60_000;

const nothing = (incidentId: string, reason: string): ResumeOutcome => ({ status: 'nothing-to-do', incidentId, reason });

export async function resumeFromApproval(playbooks: PlaybookCatalog, event: ApprovalEvent, playbook: PlaybookName, options: ResumeOptions): Promise<ResumeOutcome> {
  const { incidentId } = event;
  const now = options.now ?? (() => new Date());
  const item = await options.approval.pending.read(incidentId);
  if (!item) return nothing(incidentId, 'no approval is pending for this incident');
  if (item.playbook !== playbook) return nothing(incidentId, `the pending approval is ${item.playbook}'s, not ${playbook}'s`);
  const invocation = options.invocationId ?? randomUUID();
  const again = item.resumedAt !== undefined;
  if (again && !retakeable(item, invocation, now())) {
    return nothing(
      incidentId,
      item.closedAt !== undefined || item.takenUntil === undefined
        ? `the request was already taken at ${item.resumedAt!}, and its response answered`
        : `the request is being resumed by another invocation (taken at ${item.resumedAt!}, until ${item.takenUntil})`,
    );
  }
  if (event.kind === 'approval-escalate') return again ? nothing(incidentId, 'the request is taken: nothing to escalate') : escalate(item, options, now);
  const decided = decisionOf(item, event.kind, now());
  if (!decided) return nothing(incidentId, item.status === 'pending' ? 'no decision yet, and the deadline has not passed' : `the request is ${item.status}`);
  // Checked before the take: a run that could not hold the approved changes to the brake must leave the request as it is.
  if (decided.act && !options.brake && brakes(options, playbook)) throw new Error('the approved changes need the blast-radius brake, and this run has none: nothing is taken or changed');
  const takenAt = now();
  // The lease outlives this invocation: a crash or a timeout leaves it to run out, and then any event for the request takes it again.
  const until = new Date((options.deadlineMs ?? takenAt.getTime() + LONGEST_RUN_MS) + RESUME_LEASE_MARGIN_MS);
  if ((await options.approval.pending.take(item, takenAt, decided.expire && !again, { by: invocation, until })) !== 'taken') return nothing(incidentId, 'another invocation took the request first');
  const state = parseWaitingState(item.state, playbook);
  const report = await actOnDecision(playbooks, { ...item, takenAt }, state, decided, options, now);
  // The outcome is recorded: the request is closed for good, or (the invocation fails to be retried) given back to the retry at once.
  // Given back by the brake (reopenAfterBrake), it is no longer this take's: both writes then find it so and change nothing.
  if (options.willRetry?.(report)) await options.approval.pending.release(incidentId, takenAt, now());
  else await options.approval.pending.close(incidentId, takenAt, now());
  return { status: 'resumed', incidentId, report };
}

interface Decided {
  readonly act: boolean;
  /** The deadline took a pending request: it is marked expired with the take. */
  readonly expire: boolean;
  readonly status: ApprovalState['status'];
  readonly skipReason: string;
}

function decisionOf(item: PendingApproval, kind: ApprovalEvent['kind'], now: Date): Decided | undefined {
  const by = item.decision ? ` by ${item.decision.by} (${item.decision.channel})` : '';
  if (item.status === 'approved') return { act: true, expire: false, status: 'approved', skipReason: '' };
  // Taken by the deadline before (a retry): it was marked expired with that take, and is decided as it was then.
  if (item.status === 'expired' && item.resumedAt !== undefined && kind !== 'approval-escalate') return byDeadline(item);
  if (item.status === 'denied') return { act: false, expire: false, status: 'denied', skipReason: `denied${by}${item.decision?.reason ? `: ${item.decision.reason}` : ''}` };
  // Pending: only the deadline decides, and only once it has passed (a schedule cannot be forged into an early one).
  // Given back by the brake (reopenAfterBrake): its new deadline stands it down (onTimeout 'stand-down'), never acts.
  if (item.status !== 'pending' || kind !== 'approval-deadline' || !deadlineHasCome(item.deadline, now)) return undefined;
  return byDeadline(item);
}

function byDeadline(item: PendingApproval): Decided {
  const stoodDown = item.brakeHeldAt !== undefined ? 'the blast-radius brake had held the approved changes, and nobody decided again' : 'the responder stood down, as configured';
  return item.onTimeout === 'act' && item.brakeHeldAt === undefined
    ? { act: true, expire: true, status: 'timed-out-acted', skipReason: '' }
    : { act: false, expire: true, status: 'timed-out-stood-down', skipReason: `no decision by ${item.deadline}: ${stoodDown}` };
}

async function escalate(item: PendingApproval, options: ResumeOptions, now: () => Date): Promise<ResumeOutcome> {
  const { approval } = options;
  if (item.status !== 'pending') return nothing(item.incidentId, `the request is ${item.status}: nothing to escalate`);
  if (!approval.escalationTopicArn || !approval.escalationSns) return nothing(item.incidentId, 'no escalation topic configured');
  if (!(await approval.pending.markEscalated(item, now()))) return nothing(item.incidentId, 'the escalation was already sent');
  const steps = (JSON.parse(item.plan) as { id?: unknown; title?: unknown }[]).map((s) => `  - ${String(s.title ?? s.id)}`);
  const messageId = await publishOnce(approval.escalationSns, approval.escalationTopicArn, {
    subject: `[GuardDuty IR ESCALATION] approval needed by ${item.deadline}: ${item.playbook} ${item.incidentId}`.slice(0, 99),
    message: [
      `A response waits for a decision, and the deadline is near: ${item.deadline} (then: ${item.onTimeout}).`,
      `Incident ${item.incidentId}, finding ${item.findingId}, account ${item.accountId}, region ${item.region}.`,
      `Plan ${item.planHash}, requested at ${item.requestedAt}:`,
      ...steps,
      `Decide with: ir approve ${item.incidentId}  or  ir deny ${item.incidentId} --reason ...`,
    ].join('\n'),
  });
  return { status: 'escalated', incidentId: item.incidentId, messageId };
}

/** route, reach, read, plan, guard again (phases.ts resumeInPhases); then act, or ask again, or stand down; then report. */
async function actOnDecision(playbooks: PlaybookCatalog, item: PendingApproval & { readonly takenAt: Date }, state: WaitingState, decided: Decided, options: ResumeOptions, now: () => Date): Promise<Report> {
  // The report lists every step of both acts once: a first-act step the new plan lacks is put back, reported as it ended (first-act-steps.ts).
  const carried = new Set<string>();
  // No incident claim: the request, taken once, is this response's right to act. Its restore records and evidence are the incident's.
  return resumeInPhases(
    playbooks,
    {
      finding: state.finding,
      incidentId: state.incidentId,
      // The approval is of the steps it was shown: one the policy now rates lower (a tag removed during the wait) still waits for it (kept-approval.ts).
      plan: (made) => ({ ...made, steps: keepApproved(made.steps, state.approved, item.planHash) }),
      claim: async (planned, planGuards) => {
        const waiting = waitingStepsOf(planned.steps);
        // What the first act's own steps created (a security group) is named by its id when read again: the same change.
        const check = checkReplan(withFirstActOutputs(state.approved, state.firstAct.outputs), waiting?.later ?? []);
        const brake =
          decided.act && check.covered && changesUnderBrake(options, state.playbook, planGuards, waiting?.later ?? [])
            ? await holdResumeBrake(options.brake!, { incidentId: state.incidentId, findingId: state.finding.id, playbook: state.playbook })
            : undefined;
        // Refused by the brake: the request goes back to the people (a new decision after `ir brake release` acts), and the incident keeps waiting for it.
        const reopened = brake?.refused ? await reopenHeld(item, options.approval, now) : undefined;
        const base = { approval: options.approval, finding: state.finding, playbook: state.playbook, incidentId: state.incidentId, now, startedAt: () => state.firstAct.startedAt, earlier: state.firstAct };
        const shape: PlanShaper =
          decided.act && !check.covered
            ? waitShaper({ ...base, status: 'asked-again', detail: `not approved: ${check.uncovered.join(', ')}` })
            : brake?.refused
              ? heldByBrakeShaper(item, reopened)
              : decidedShaper(item, decided, state.approved);
        return {
          guards: [...planGuards, ...(brake?.verdicts ?? [])],
          settled: recordingGate(options, state.incidentId, brake, reopened?.deadline !== undefined),
          recordIn: options.incidents ? { table: options.incidents.tableName, key: `${INCIDENT_KEY_PREFIX}${state.incidentId}` } : undefined,
          shape: carryingFirstAct(shape, state.firstAct.outcomes, carried),
        };
      },
      act: (prepared, clients) => actAgain(prepared, state, clients, options, now, carried),
    },
    { ...options, ledger: undefined },
  );
}

/**
 * The steps that need a decision run (approved), or are reported not run (denied, stood down); the rest of the plan as planned.
 * The report names the plan hash that was decided on (the ledger's and the evidence's): the plan made again, covered by it,
 * may hash otherwise (a later isolation time in a tag, an interface gone).
 */
function decidedShaper(item: PendingApproval, decided: Decided, approved: WaitingState['approved']): PlanShaper {
  const { planHash } = item;
  return (steps) => {
    const waiting = waitingStepsOf(steps);
    // An approved change the policy now says `never` to is decided too: not run, reported with the rule that refused it.
    const refused = refusedSinceApproval(steps, approved);
    const ids = new Set([...(waiting?.later.map((s) => s.id) ?? []), ...refused.map((s) => s.id)]);
    const refusedDetail = refused.length > 0 && decided.act ? `not made, the approval policy now says never: ${refused.map((s) => `${s.id} (rule ${s.approval!.ruleId})`).join(', ')}` : undefined;
    const approval: ApprovalState = {
      status: decided.status,
      planHash,
      steps: [...ids],
      deadline: item.deadline,
      onTimeout: item.onTimeout,
      ...(item.decision ? { decision: { by: item.decision.by, at: item.decision.at, channel: item.decision.channel, ...(item.decision.reason ? { reason: item.decision.reason } : {}) } } : {}),
      ...(refusedDetail ? { detail: refusedDetail } : {}),
    };
    // Not acting, a step closing what an earlier attempt left open, whose change the decision covers (waiting, or refused by
    // the policy since), still runs (the first act's close may have failed): as if blocked by the decision.
    const closing = (s: PlannedStep): PlannedStep => closesWhileHeld(s, ids, `approval ${decided.status}`);
    const shaped = decided.act
      ? steps.map(neverRuns)
      : steps.map((s): PlannedStep => (s.closesLeftOpen && s.compensates !== undefined && ids.has(s.compensates) ? closing(s) : ids.has(s.id) ? { ...s, run: () => Promise.resolve({ status: 'skipped', reason: decided.skipReason }) } : s));
    return { steps: shaped, approval };
  };
}

/**
 * The steps of the first act that are in the new plan are reported as they ended then (the notification, the
 * evidence and the close-loop steps excepted: they run again, for the final report); every other step runs now.
 * The first act's steps the new plan lacks (`carried`, put back by first-act-steps.ts) are reported as they ended then too.
 */
async function actAgain(prepared: PreparedPlan, state: WaitingState, clients: AwsClients, options: ResumeOptions, now: () => Date, carried: ReadonlySet<string>): Promise<Report> {
  const before = new Map(state.firstAct.outcomes.map((o) => [o.id, o]));
  // A request asked again is a new request: it runs (the first act's is then replaced by it in the report).
  const again = (step: PlannedStep) =>
    !carried.has(step.id) && (NOTIFICATION_STEP_IDS.has(step.id) || isCloseLoopStep(step.id) || step.id === APPROVAL_REQUEST_STEP_ID || step.stage >= reportStageOf(prepared.steps));
  const reported = prepared.steps.filter((s) => before.has(s.id) && !again(s) && !prepared.document.approval?.steps.includes(s.id));
  const reportedIds = new Set(reported.map((s) => s.id));
  const acting = new Acting(
    clients,
    now,
    prepared.restoreLedger,
    options.deadlineMs,
    { outcomes: reported.map((s) => before.get(s.id)!), outputs: state.firstAct.outputs },
    { holdsDecision: true },
  );
  const ran = await acting.act(
    prepared.steps.filter((s) => !reportedIds.has(s.id)),
    prepared,
  );
  const byId = new Map<string, StepOutcome>([...reported.map((s): [string, StepOutcome] => [s.id, before.get(s.id)!]), ...ran.map((o): [string, StepOutcome] => [o.id, o])]);
  return finishReport(prepared, prepared.steps.map((s) => byId.get(s.id)!), state.firstAct.startedAt, now);
}

function reportStageOf(steps: readonly PlannedStep[]): number {
  return steps.find((s) => NOTIFICATION_STEP_IDS.has(s.id))?.stage ?? Number.POSITIVE_INFINITY;
}

/**
 * The approved changes are held to the brake when they would change the account: the stack acts (enforce, not a
 * dry-run), the playbook changes things in the finding's account, no guard blocks the plan again, and a waiting step mutates.
 */
function changesUnderBrake(options: ResumeOptions, playbook: PlaybookName, guards: readonly GuardVerdict[], waiting: readonly PlannedStep[]): boolean {
  if (!brakes(options, playbook) || blockingGuardIds(guards).length > 0 || !waiting.some((s) => s.mutating)) return false;
  if (!options.brake) throw new Error('the approved changes need the blast-radius brake, and this run has none: nothing is changed');
  return true;
}

/** The stack acts (enforce, not a dry-run) and the playbook changes things in the finding's account: its changes count against the brake. */
function brakes(options: ResumeOptions, playbook: PlaybookName): boolean {
  return !options.dryRun && options.config.mode === 'enforce' && actsInFindingAccount(playbook);
}

/** A request the brake held: given back with a new deadline (`deadline`), or why it could not be. */
interface Reopened {
  readonly deadline?: string;
  readonly detail: string;
}

/**
 * Gives the request the brake held back to the people, as a new wait: a new deadline (the configured wait from now),
 * its escalation and deadline schedules written again through the same ScheduleWriter as the first wait's (the old
 * ones fired and deleted themselves, or are replaced by name), and, at that deadline, a stand-down. The schedules are
 * written first: a request given back must never wait with no deadline event to end it. With no schedule group, or
 * schedules that cannot be written, it is not given back: it is closed, the report says the changes were not made
 * ('cannot-wait'), and the incident is left open (blocked by the brake), so that the next delivery of the finding asks again; schedules written for a request another invocation holds find it taken, and do nothing.
 */
async function reopenHeld(item: PendingApproval & { readonly takenAt: Date }, approval: ApprovalWaitOptions, now: () => Date): Promise<Reopened> {
  if (!approval.schedules) return { detail: 'the request could not be given back (no schedule group to bound a new wait): the incident is left open, and the next delivery of the finding asks again (approve it after `ir brake release`)' };
  const at = now();
  const deadline = approvalDeadline(at, approval.waitMs);
  const planned = waitSchedules(approval, approval.schedules.target, item.incidentId, at, deadline);
  try {
    await writeWaitSchedules(approval.schedules.writer, planned);
  } catch (error) {
    const { code, message } = toStepError(error);
    return { detail: `the request could not be given back (its new schedules could not be written: ${code}: ${message}): the incident is left open, and the next delivery of the finding asks again (approve it after \`ir brake release\`)` };
  }
  if (!(await approval.pending.reopenAfterBrake(item, item.takenAt, at, deadline))) {
    return { detail: 'the request could not be given back (another invocation holds it): the incident is left open, and the next delivery of the finding asks again (approve it after `ir brake release`)' };
  }
  return {
    deadline: deadline.toISOString(),
    detail: `the request waits for a new decision until ${deadline.toISOString()} (then stand down; schedules ${planned.map((p) => p.Name).join(', ')}): after \`ir brake release\`, approve it again to act`,
  };
}

/**
 * The brake refused the approved changes: they are reported not run, and the approval says the request waits again
 * (reopened, until its new deadline) for a person's new decision, with the decision the brake held; if it could not
 * be given back, why, and that a new delivery of the finding asks again.
 */
function heldByBrakeShaper(item: PendingApproval, reopened: Reopened | undefined): PlanShaper {
  const by = item.decision ? `approved by ${item.decision.by} (${item.decision.channel})` : `no decision by ${item.deadline} (onTimeout act)`;
  const reason = `${by}, but the blast-radius brake is on: not run; ${reopened?.detail ?? 'the request was not given back'}`;
  return (steps) => {
    const waiting = waitingStepsOf(steps);
    const ids = new Set(waiting?.later.map((s) => s.id) ?? []);
    // A step closing what an earlier attempt left open runs as the split shaped it: as if blocked (closesWhileHeld).
    const closing = new Map((waiting?.now ?? []).filter((s) => s.closesLeftOpen && ids.has(s.id)).map((s) => [s.id, s]));
    // Not given back, nothing waits: said as a change that needed a decision and was not made ('cannot-wait'), and the incident
    // is left open (answerOf: blocked by the brake), so that the next delivery of the finding asks again, as the detail says.
    const approval: ApprovalState = {
      status: reopened?.deadline !== undefined ? 'awaiting' : 'cannot-wait',
      planHash: item.planHash,
      steps: [...ids],
      deadline: reopened?.deadline ?? item.deadline,
      onTimeout: 'stand-down',
      ...(item.decision ? { decision: { by: item.decision.by, at: item.decision.at, channel: item.decision.channel, ...(item.decision.reason ? { reason: item.decision.reason } : {}) } } : {}),
      detail: reason,
    };
    return { steps: steps.map((s): PlannedStep => closing.get(s.id) ?? (ids.has(s.id) ? { ...s, run: () => Promise.resolve({ status: 'skipped', reason }) } : s)), approval };
  };
}

/**
 * The incident's record takes the final report (IncidentLedger.recordResumedOutcome); no ledger, nothing is recorded.
 * Held by the brake with the request given back: the incident still awaits approval (every delivery a repeat until the
 * new decision). A slot the resumed act reserved itself goes back when none of its changes ran.
 */
function recordingGate(options: ResumeOptions, incidentId: string, brake: ResumeBrakeHold | undefined, reopened: boolean): SettledGate | undefined {
  const { incidents } = options;
  const reads = brake?.reads ?? [];
  const verdicts = brake?.verdicts ?? [];
  const settleBrake = async (report: Report): Promise<void> => {
    await brake?.settle(report, new Set(report.approval?.steps ?? []));
  };
  if (!incidents) return brake ? { kind: 'first', reads, verdicts, finish: settleBrake } : undefined;
  const held: Answer = { answered: true, kind: 'awaiting-approval', reason: 'the blast-radius brake held the approved changes: the request waits for a new decision' };
  // The invocation fails so that Lambda retries it: the incident keeps awaiting the resumed act (its retry takes the request again, resume.ts).
  const retried: Answer = { answered: true, kind: 'awaiting-approval', reason: 'the resumed response ended incomplete: its invocation is retried, and takes the request again' };
  return {
    kind: 'first',
    reads,
    verdicts,
    finish: async (report) => {
      const [, written] = await Promise.all([settleBrake(report), incidents.recordResumedOutcome({ incidentId, report, answer: options.willRetry?.(report) ? retried : reopened ? held : answerOf(report) })]);
      return written;
    },
  };
}

