import { LEFT_CLOSED_OWN_STATE_UNKNOWN } from '../plan/exposed';
import type { SNSClient } from '@aws-sdk/client-sns';
import { hashedStepOf, planHashOf, type HashedStep } from '../approval/plan-hash';
import type { OnTimeout, PendingApproval, PendingApprovals } from '../approval/pending';
import { approvalSchedule, type OneTimeSchedule, type ScheduleTarget, type ScheduleWriter } from '../approval/schedules';
import { approvalDeadline } from '../approval/deadline';
import { AWAITS_APPROVAL } from '../approval/held';
import type { ApprovalLinkMaker } from '../approval/wait-links';
import { toStepError } from '../aws/errors';
import { neverRuns, splitForApproval } from '../approval/split';
import { APPROVAL_REQUEST_STEP_ID } from '../approval/step-ids';
import { APPROVAL_REQUEST } from '../approval/specs';
import { isCloseLoopStep } from '../close-loop/ids';
import { findingSchema, type Finding } from '../finding/schema';
import { NOTIFICATION_STEP_IDS } from '../notify/document';
import { stepDocument, type ApprovalState } from '../plan/document';
import { planStep, type JsonValue, type PlannedStep, type StepOutcome } from '../plan/types';
import type { PlaybookName } from '../routing/playbook-names';
import * as z from '../zod';
import type { PlanShaper } from './assemble';

/*
 * The phase `wait`. A plan whose changes include some the approval policy
 * marks `approve` runs its automatic steps (evidence first), then waits for
 * a person's decision: the waiting steps are reported skipped ("awaiting
 * approval"), the close-loop steps wait with them (they report a finished
 * containment), and one step is added before the notification, which
 * writes the pending approval to the ledger (lambda/approval/pending.ts),
 * with the state the response resumes from, and creates the escalation and
 * deadline schedules. The notification says what waits, on which plan hash,
 * until when. The incident is then answered "awaiting-approval": every
 * delivery until the decision is a repeat (lambda/ledger/answered.ts).
 * The decision, or the deadline, resumes the response (lambda/respond/resume.ts).
 */

/** How a response waits for a decision: the Lambda's (the ledger, the schedules); absent, nothing can wait. */
export interface ApprovalWaitOptions {
  readonly pending: PendingApprovals;
  /** The schedules of the escalation and the deadline: absent, nothing can wait (no deadline would ever come). */
  readonly schedules: { readonly writer: ScheduleWriter; readonly target: ScheduleTarget } | undefined;
  /** How long a decision is waited for. */
  readonly waitMs: number;
  /** The escalation topic is told this long before the deadline. */
  readonly escalateBeforeMs: number;
  readonly onTimeout: OnTimeout;
  /** The second topic, told before the deadline; absent, the escalation schedule is not created. */
  readonly escalationTopicArn?: string;
  /** The escalation topic's client (the security account's). */
  readonly escalationSns?: SNSClient;
  /**
   * Signs the approve and deny links of the email (lambda/approval/wait-links.ts), expiring at the deadline; the
   * request step's output, which the notification steps read. Absent (no link function): the email names `ir approve`.
   */
  readonly links?: ApprovalLinkMaker;
}

/** What is stored with the pending approval, JSON, to resume the response in a later invocation. */
export interface WaitingState {
  readonly version: 1;
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  readonly incidentId: string;
  /** The steps shown for the decision, as hashed (the plan hash is theirs). */
  readonly approved: readonly HashedStep[];
  /** What the response did before it waited: reported again, never run again. */
  readonly firstAct: {
    readonly startedAt: string;
    readonly outcomes: readonly StepOutcome[];
    readonly outputs: Readonly<Record<string, JsonValue>>;
    /**
     * The changes of a class the policy governs that were made before the wait (an isolation it let run at once):
     * none, and the decision denied, the restore record holds no containment to undo (lambda/release/held-containment.ts).
     */
    readonly changed?: readonly string[];
  };
}

const jsonValue: z.ZodMiniType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));

const waitingStateSchema = z.looseObject({
  version: z.literal(1),
  finding: findingSchema,
  playbook: z.string(),
  incidentId: z.string(),
  approved: z.array(z.looseObject({ id: z.string(), kind: z.string(), action: z.string(), target: z.string(), parameters: z.record(z.string(), z.unknown()) })),
  firstAct: z.looseObject({ startedAt: z.string(), outcomes: z.array(z.looseObject({ id: z.string(), status: z.enum(['done', 'skipped', 'failed']) })), outputs: z.record(z.string(), jsonValue) }),
});

/** The stored state, checked: the ledger is ours, but a state this code cannot read must stop the response, not half-run it. */
export function parseWaitingState(text: string, playbook: PlaybookName): WaitingState {
  const parsed = waitingStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`the stored state of the waiting response cannot be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  if (parsed.data.playbook !== playbook) throw new Error(`the waiting response is ${parsed.data.playbook}'s, not ${playbook}'s`);
  return parsed.data as unknown as WaitingState;
}

/** Step outputs kept with the state: JSON ones only (a security group id, a list of ids); the others are never needed after the wait. */
export function jsonOutputs(outputs: Readonly<Record<string, unknown>>): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const [id, output] of Object.entries(outputs)) {
    try {
      const text = JSON.stringify(output);
      if (text !== undefined) kept[id] = JSON.parse(text) as JsonValue;
    } catch {
      // Not JSON (a cycle, a BigInt): not kept.
    }
  }
  return kept;
}

/** The steps that wait for a decision, and their hash; none when nothing needs one. */
export function waitingStepsOf(steps: readonly PlannedStep[]): { readonly later: readonly PlannedStep[]; readonly now: readonly PlannedStep[]; readonly planHash: string } | undefined {
  const { later, now } = splitForApproval(steps.filter((s) => !isCloseLoopStep(s.id)));
  if (later.length === 0) return undefined;
  return { later, now, planHash: planHashOf(later) };
}

/** A DynamoDB item holds 400 KB: past this, the first act's outcomes are kept without what read-only steps found (it is in the evidence bucket). */
const STATE_LIMIT = 300_000;

function storable(state: WaitingState): string {
  const whole = JSON.stringify(state);
  if (whole.length <= STATE_LIMIT) return whole;
  const outcomes = state.firstAct.outcomes.map(({ evidence: _evidence, ...outcome }) => outcome);
  return JSON.stringify({ ...state, firstAct: { ...state.firstAct, outcomes } });
}

/** "awaits approval (rule X)" for a change the policy holds; a step that needs one of those waits with it, no rule of its own. */
function awaitsOf(step: PlannedStep): string {
  return step.approval?.mode === 'approve' ? `${AWAITS_APPROVAL} (rule ${step.approval.ruleId})` : AWAITS_APPROVAL;
}

function skipped(step: PlannedStep, reason: string): PlannedStep {
  return { ...step, run: () => Promise.resolve({ status: 'skipped', reason }) };
}

/**
 * What an operator does about changes held for a decision that this run cannot wait for. The deployed stack makes its
 * decision channels and schedule group only when the configuration has an `approval` key, while two classes default to
 * `approve` without one (BUILT_IN_DEFAULT_MODES): say so, and name the setting that makes them at once instead.
 */
function howToDecide(held: readonly PlannedStep[]): string {
  const governed = held.flatMap((s) => (s.approval?.mode === 'approve' ? [s.approval] : []));
  const classes = [...new Set(governed.filter((a) => a.ruleId === 'default').map((a) => a.changeClass))];
  const rules = [...new Set(governed.filter((a) => a.ruleId !== 'default').map((a) => a.ruleId))];
  const decide = 'To have a person decide: deploy the stack with an `approval` key in its configuration (it creates the decision channels and the schedule group), and respond from it';
  const auto = classes.length > 0 ? `; to make these changes without a decision: set ${classes.map((c) => `approval.defaults["${c}"]`).join(' and ')} to "auto"` : '';
  const byRule = rules.length > 0 ? `; held by rule${rules.length > 1 ? 's' : ''} ${rules.join(', ')} of the policy` : '';
  return `${decide}${auto}${byRule}.`;
}

/** The stage of the notification: the request runs just before it, every step from it on one stage later. */
function reportStageOf(steps: readonly PlannedStep[]): number {
  const notify = steps.find((s) => NOTIFICATION_STEP_IDS.has(s.id));
  return notify?.stage ?? Math.max(0, ...steps.map((s) => s.stage)) + 1;
}

export interface WaitInput {
  readonly approval: ApprovalWaitOptions | undefined;
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  readonly incidentId: string;
  readonly now: () => Date;
  /** When the response's first act started (kept with the state). */
  readonly startedAt: () => string;
  /** Outcomes of an earlier act (a response asked again): kept with the new state. */
  readonly earlier?: WaitingState['firstAct'];
  /** 'asked-again': the resource changed since an approval, and the new plan is not covered by it. */
  readonly status?: 'awaiting' | 'asked-again';
  readonly detail?: string;
}

/**
 * The shaper (assemble.ts) of a plan that waits: the waiting and close-loop steps skipped, the request added.
 * Undefined when nothing in the plan needs a decision: the plan runs as it always has.
 */
export function waitShaper(input: WaitInput): PlanShaper {
  return (assembled) => {
    // A change the policy never allows is shown and reported skipped, whether or not anything waits.
    const steps = assembled.map(neverRuns);
    const waiting = waitingStepsOf(steps);
    if (!waiting) return { steps, approval: undefined };
    const ids = new Set(waiting.later.map((s) => s.id));
    // What runs in this act as the split shaped it: a step closing what an earlier attempt left open runs as if blocked.
    const closing = new Map(waiting.now.filter((s) => s.closesLeftOpen && ids.has(s.id)).map((s) => [s.id, s]));
    const { approval } = input;
    const cannot = !approval ? 'no ledger to wait on (a run without the stack, or without its approval settings)' : !approval.schedules ? 'no schedule group to bound the wait' : undefined;
    if (cannot || !approval) {
      const why = `${cannot ?? 'no approval settings'}. ${howToDecide(waiting.later)}`;
      const state: ApprovalState = { status: 'cannot-wait', planHash: waiting.planHash, steps: [...ids], detail: why };
      return { steps: steps.map((s) => closing.get(s.id) ?? (ids.has(s.id) ? skipped(s, `${awaitsOf(s)}, and this run cannot wait for one: ${why}`) : s)), approval: state };
    }
    const requestedAt = input.now();
    // A whole second: the stored deadline is exactly the schedule's at() (lambda/approval/deadline.ts).
    const deadline = approvalDeadline(requestedAt, approval.waitMs);
    const state: ApprovalState = {
      status: input.status ?? 'awaiting',
      planHash: waiting.planHash,
      steps: [...ids],
      deadline: deadline.toISOString(),
      onTimeout: approval.onTimeout,
      ...(input.detail ? { detail: input.detail } : {}),
    };
    const reportStage = reportStageOf(steps);
    const changeIds = new Set(steps.filter((s) => s.changeClass !== undefined).map((s) => s.id));
    const request = requestStep(input, approval, waiting, requestedAt, deadline, reportStage, changeIds);
    const shaped = steps.map((s) => {
      const closes = closing.get(s.id);
      if (closes) return closes.stage >= reportStage ? { ...closes, stage: closes.stage + 1 } : closes;
      if (ids.has(s.id)) return skipped(s, `${awaitsOf(s)}: plan ${waiting.planHash}, until ${state.deadline!}`);
      if (isCloseLoopStep(s.id)) return skipped(s, 'runs after the decision: it reports the finished response');
      return s.stage >= reportStage ? { ...s, stage: s.stage + 1 } : s;
    });
    const at = shaped.findIndex((s) => s.stage > reportStage);
    return { steps: at < 0 ? [...shaped, request] : [...shaped.slice(0, at), request, ...shaped.slice(at)], approval: state };
  };
}

/** The schedules of a request: the escalation (when a topic is configured and its time is still ahead), then the deadline. */
export function waitSchedules(approval: ApprovalWaitOptions, target: ScheduleTarget, incidentId: string, requestedAt: Date, deadline: Date): OneTimeSchedule[] {
  const escalateAt = new Date(deadline.getTime() - approval.escalateBeforeMs);
  return [
    ...(approval.escalationTopicArn && escalateAt > requestedAt ? [approvalSchedule(target, incidentId, 'approval-escalate', escalateAt)] : []),
    approvalSchedule(target, incidentId, 'approval-deadline', deadline),
  ];
}

/**
 * Writes a request's schedules. A schedule of an earlier request of the incident (asked again, or given back by the
 * brake) may still exist under the same name: replaced.
 */
export async function writeWaitSchedules(writer: ScheduleWriter, planned: readonly OneTimeSchedule[]): Promise<void> {
  for (const schedule of planned) {
    await writer.delete(schedule.Name, schedule.GroupName);
    await writer.create(schedule);
  }
}

/**
 * The schedules of a request of the incident still pending, written again: a new request's schedules replaced them by
 * name. Never at a past time (a late deadline event still ends it). Its deadline as scheduled; undefined when the
 * request is not pending (decided, taken): nothing of it needs a schedule.
 */
async function putBackSchedules(approval: ApprovalWaitOptions, current: PendingApproval, now: Date): Promise<Date | undefined> {
  if (current.status !== 'pending' || current.resumedAt !== undefined || !approval.schedules) return undefined;
  const until = new Date(Math.max(Date.parse(current.deadline), approvalDeadline(now, 1000).getTime()));
  await writeWaitSchedules(approval.schedules.writer, waitSchedules(approval, approval.schedules.target, current.incidentId, now, until));
  return until;
}

async function putBackStanding(approval: ApprovalWaitOptions, incidentId: string, now: Date): Promise<Date | undefined> {
  const current = await approval.pending.read(incidentId);
  return current ? putBackSchedules(approval, current, now) : undefined;
}

/** Deletes a request's schedules (one that does not exist is no error). */
async function deleteWaitSchedules(writer: ScheduleWriter, planned: readonly OneTimeSchedule[]): Promise<void> {
  for (const schedule of planned) await writer.delete(schedule.Name, schedule.GroupName);
}

const REQUEST_TITLE = 'Ask for a decision on the changes that need approval, and schedule its deadline';

function requestStep(
  input: WaitInput,
  approval: ApprovalWaitOptions,
  waiting: { readonly later: readonly PlannedStep[]; readonly planHash: string },
  requestedAt: Date,
  deadline: Date,
  stage: number,
  changeIds: ReadonlySet<string>,
): PlannedStep {
  const { incidentId, finding, playbook } = input;
  const schedules = approval.schedules!;
  const planned = waitSchedules(approval, schedules.target, incidentId, requestedAt, deadline);
  return planStep(APPROVAL_REQUEST, {
    id: APPROVAL_REQUEST_STEP_ID,
    title: REQUEST_TITLE,
    action: 'dynamodb:PutItem',
    target: `${approval.pending.tableName}: approval#${incidentId}`,
    parameters: { planHash: waiting.planHash, steps: waiting.later.map((s) => s.id), deadline: deadline.toISOString(), onTimeout: approval.onTimeout, schedules: planned.map((p) => p.Name) },
    why: 'the approval policy says a person decides these changes: the response waits durably, and is resumed by the decision or the deadline',
    stage,
    run: async (ctx) => {
      // This step's own outcome is kept with the others, as it ends if the request is written: the final report lists it (resume.ts).
      const requested: StepOutcome = {
        id: APPROVAL_REQUEST_STEP_ID,
        title: REQUEST_TITLE,
        action: 'dynamodb:PutItem',
        target: `${approval.pending.tableName}: approval#${incidentId}`,
        mutating: APPROVAL_REQUEST.mutating,
        status: 'done',
        detail: `decision requested on plan ${waiting.planHash} until ${deadline.toISOString()} (then ${approval.onTimeout})`,
        durationMs: 0,
      };
      const state: WaitingState = {
        version: 1,
        finding,
        playbook,
        incidentId,
        approved: waiting.later.map(hashedStepOf),
        firstAct: {
          startedAt: input.earlier?.startedAt ?? input.startedAt(),
          // The earlier act's outcomes, then this act's (all of whose steps before this one have finished).
          outcomes: [...(input.earlier?.outcomes ?? []).filter((o) => o.id !== requested.id && !ctx.outcomes.some((c) => c.id === o.id)), ...ctx.outcomes, requested],
          outputs: { ...(input.earlier?.outputs ?? {}), ...jsonOutputs(Object.fromEntries(ctx.outputs)) },
          // A close of what an earlier attempt left open moved the resource, and failed loudly for it (LeftClosedOwnGroupsUnknown): a change made.
          changed: [
            ...new Set([
              ...(input.earlier?.changed ?? []),
              ...ctx.outcomes.filter((o) => (o.status === 'done' || (o.status === 'failed' && o.error?.code === LEFT_CLOSED_OWN_STATE_UNKNOWN)) && changeIds.has(o.id)).map((o) => o.id),
            ]),
          ],
        },
      };
      const stored = storable(state);
      // The schedules first (as reopenHeld, resume.ts): a request must never be pending with no deadline event to end it.
      // A schedule left by a request that was then not written finds no pending request of its plan, and does nothing
      // (resumeFromApproval: no request, one already taken, or a deadline not yet come).
      try {
        await writeWaitSchedules(schedules.writer, planned);
      } catch (error) {
        // A schedule replaced by name may have been a standing request's: put back (best effort).
        await putBackStanding(approval, incidentId, requestedAt).catch(() => undefined);
        throw error;
      }
      let written: 'requested' | 'already-pending';
      try {
        written = await approval.pending.request({
          incidentId,
          planHash: waiting.planHash,
          plan: JSON.stringify(waiting.later.map(stepDocument)),
          findingId: finding.id,
          playbook,
          accountId: finding.accountId ?? '',
          region: finding.region ?? '',
          requestedAt: requestedAt.toISOString(),
          deadline: deadline.toISOString(),
          onTimeout: approval.onTimeout,
          state: stored,
        });
      } catch (error) {
        // This request waits for nothing: the schedules just written are put back as a standing request of the incident
        // needs them, else removed (best effort; left behind, they find no pending request and do nothing).
        await putBackStanding(approval, incidentId, requestedAt).then(
          (standing) => (standing ? undefined : deleteWaitSchedules(schedules.writer, planned)),
          () => deleteWaitSchedules(schedules.writer, planned),
        ).catch(() => undefined);
        throw error;
      }
      let until = deadline;
      if (written === 'already-pending') {
        // A request of the incident stands (a retry of this one, or another plan's): its own schedules are put back.
        const current = await approval.pending.read(incidentId);
        const standing = current ? await putBackSchedules(approval, current, requestedAt) : undefined;
        if (standing) until = standing;
        // Another plan's request stands as it is.
        if (current?.planHash !== waiting.planHash) return { status: 'skipped', reason: `another request for incident ${incidentId} is pending (plan ${current?.planHash ?? 'unknown'}): it stands` };
      }
      const detail = `decision requested on plan ${waiting.planHash} until ${until.toISOString()} (then ${approval.onTimeout}); schedules ${planned.map((p) => p.Name).join(', ')}`;
      if (!approval.links) return { status: 'done', detail };
      // The request stands without its links: `ir approve`, the chat buttons and the deadline still end the wait.
      try {
        const links = await approval.links({ incidentId, planHash: waiting.planHash, expiresAt: until });
        return { status: 'done', detail: `${detail}; decision links signed`, output: links };
      } catch (error) {
        const { code, message } = toStepError(error);
        return { status: 'done', detail: `${detail}; no decision links (${code}: ${message})` };
      }
    },
  });
}
