import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { Finding } from '../finding/schema';
import { blockingGuardIds } from '../guards';
import type { Report } from '../plan/document';
import type { FirstSteps, PlaybookCatalog, PlaybookPlan } from '../playbooks/types';
import { Acting } from './act';
import type { GuardVerdict } from '../guards/types';
import { assemblePlan, type PlanShaper } from './assemble';
import { guardsOf, openResponse, reachAccount, reachResponse, routeResponse, settleGate, type Begun } from './begin';
import type { SettledGate } from './gate';
import { finishReport } from './execute';
import type { PreparedPlan, RespondOptions } from './options';
import { giveBackAfterPlanningFailure } from './planning-failure';
import { earlyMoveAllowed, findingAllowsEarlyMove } from './early-move-allowed';
import { answerRepeatEarlyMoves } from './repeat-early-moves';
import { readResource, type Reading } from './read';
import { assertSamePlan, StagedPlanningError } from './staged';
import { waitShaper } from './wait';

/*
 * The response, phase by phase, in the order they happen:
 *
 *   route   which playbook answers the finding (before anything is touched)
 *   reach   the finding's account; GuardDuty's confirmation and the ledger's incident and claim started beside it,
 *           the incident awaited only once the read has started (its resource's pointer is a round trip)
 *   read    the playbook's discovery (staged: the first steps as soon as their reads are in)
 *   plan    the playbook's steps from the facts, with its own verdicts
 *   guard   every guard's verdict on that plan (the finding's, the account's, the playbook's)
 *   claim   GuardDuty's answer and the ledger's claim and brake settled: the plan is assembled as it will run
 *   act     the steps run (a blocked change is reported skipped)
 *   wait    changes the approval policy gives to a person wait: the decision is asked for in the ledger,
 *           the deadline scheduled (wait.ts); the response ends here, "awaiting approval"
 *   act     resumed by the decision or the deadline in a later invocation, from the stored state
 *           (resumeInPhases below): route, reach, read, plan and guard again, then the resumed claim (the
 *           request taken, the plan compared with the approved one, the blast-radius brake: resume.ts,
 *           resume-brake.ts), the approved changes run if the plan is still the one approved and the
 *           brake lets them, else the decision is asked for again
 *   report  the report, recorded in the ledger with the claim
 *
 * The guards need the playbook's own verdicts, which come with its plan: `guard` follows `plan`.
 * For contain-instance (staged discovery) the first steps are planned, guarded, claimed and acted
 * on as soon as their reads are in, while the rest is read and planned (respondEarly below): the
 * speed of isolation is the point, nothing it does not need is waited for (unless the isolation itself
 * waits for a person's decision: then the whole plan is made first).
 * `wait` is planned with the plan (its request is a step of it, before the notification, which says what waits).
 * The Lambda handlers, `ir` and the tests all run this one sequence (respond-with.ts).
 */

type ExecutingOptions = RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess });

/** route, reach, read, plan, guard, claim: the plan as it would run, executed or not (`ir plan`). */
export async function prepareInPhases(playbooks: PlaybookCatalog, finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  const routed = routeResponse(playbooks, finding, options);
  const begun = await reachResponse(routed, finding, options);
  const reading = readResource(begun, options, false);
  return planGuardClaim(begun, options, await reading.all);
}

/** The whole response: every phase, to the report. */
export async function respondInPhases(playbooks: PlaybookCatalog, finding: Finding, options: ExecutingOptions): Promise<Report> {
  const now = options.now ?? (() => new Date());
  const routed = routeResponse(playbooks, finding, options);
  // The reads (and the moves beside them) start once the account is reached; the incident is opened in the ledger meanwhile.
  // Whether it may move beside its claim is known from the finding alone: its claim says so (the early claim's grace).
  const reached = await reachAccount(routed, finding, options, findingAllowsEarlyMove(routed, finding, options));
  const executionClients = reached.account.executionClients ?? options.clients;
  if (!executionClients) throw new Error('respond needs clients or access');
  const reading = readResource(reached, options, true, earlyMoveAllowed(reached, options));
  const begun = await openResponse(reached, options);
  const first = reading.first ? await reading.first : undefined;
  // Something to change early (the instance is there, with a network interface), that needs no person's decision: it is changed before the rest is read.
  if (first && first.steps.some((s) => s.mutating) && !first.steps.some((s) => s.approval && s.approval.mode !== 'auto')) return respondEarly(begun, options, reading, first, executionClients, now);
  const prepared = await planGuardClaim(begun, options, await reading.all);
  const startedAt = now().toISOString();
  const acting = new Acting(executionClients, now, prepared.restoreLedger, options.deadlineMs, undefined, { others: begun.gate?.othersMoving });
  const outcomes = await acting.act(prepared.steps, prepared);
  return finishReport(prepared, outcomes, startedAt, now);
}

/**
 * What a resumed response (resume.ts) brings to the phases: the stored finding and incident, and its own
 * `plan` adjustment, `claim` and `act` (the request taken once is its right to act, not the incident's claim;
 * the first act's steps are reported as they ended, never run again).
 */
export interface ResumedResponse {
  readonly finding: Finding;
  /** The first act's incident id, whatever the finding now maps to (a resource's incident keeps its id). */
  readonly incidentId: string;
  /** The plan made again, adjusted (the approved steps keep waiting for their decision: kept-approval.ts). */
  readonly plan: (made: PlaybookPlan) => PlaybookPlan;
  /** The phase `claim` of a resumed response: the plan compared with the approved one, the brake; how the plan is shaped. */
  readonly claim: (planned: PlaybookPlan, guards: GuardVerdict[]) => Promise<ResumedClaim>;
  /** The phase `act` (and `report`) of a resumed response, with the finding's account's clients. */
  readonly act: (prepared: PreparedPlan, clients: AwsClients) => Promise<Report>;
}

export interface ResumedClaim {
  /** The guards, with the brake's verdicts. */
  readonly guards: GuardVerdict[];
  /** Settles the brake and records the final report (absent: nothing to record). */
  readonly settled: SettledGate | undefined;
  /** The incident's record that takes the final report (absent: a run without the stack's ledger). */
  readonly recordIn: { readonly table: string; readonly key: string } | undefined;
  readonly shape: PlanShaper;
}

/**
 * The response resumed by a decision or a deadline (resume.ts), through the same phases: route, reach, read,
 * plan, guard again from the stored finding (no incident claim: `options.ledger` is the caller's to leave out),
 * then the resumed claim, act and report.
 */
export async function resumeInPhases(playbooks: PlaybookCatalog, resumed: ResumedResponse, options: ExecutingOptions): Promise<Report> {
  const routed = routeResponse(playbooks, resumed.finding, options);
  const reached = await reachResponse(routed, resumed.finding, options);
  const begun: Begun = { ...reached, incidentId: resumed.incidentId, planning: { ...reached.planning, incidentId: resumed.incidentId } };
  const executionClients = begun.account.executionClients ?? options.clients;
  if (!executionClients) throw new Error('resume needs clients or access');
  const planned = resumed.plan(planOf(begun, await readResource(begun, options, false).all));
  const { guards } = await settleGate(begun, guardsOf(begun, options, planned.resourceTags, planned.verdicts), planned.steps);
  const claimed = await resumed.claim(planned, guards);
  const assembled = assemblePlan(begun, options, planned, claimed.guards, claimed.settled, claimed.shape);
  const prepared: PreparedPlan = claimed.settled && claimed.recordIn ? { ...assembled, gate: { settled: claimed.settled, ...claimed.recordIn } } : assembled;
  return resumed.act(prepared, executionClients);
}

/** plan, guard, claim from every fact at once: the plan assembled as it will run. */
export async function planGuardClaim(begun: Begun, options: RespondOptions, facts: unknown): Promise<PreparedPlan> {
  const planned = planOf(begun, facts);
  const guards = guardsOf(begun, options, planned.resourceTags, planned.verdicts);
  const { settled, guards: settledGuards } = await settleGate(begun, guards, planned.steps);
  return assemblePlan(begun, options, planned, settledGuards, settled, waitOf(begun, options, settledGuards, settled));
}

/**
 * The phase `wait`, planned: when no guard blocks the plan and the ledger let this delivery act, the changes
 * the approval policy marks `approve` wait for a decision (wait.ts). Blocked (dry-run included), nothing
 * waits: nothing would run. With no approval configured, no step needs a decision and the plan is unchanged.
 */
function waitOf(begun: Begun, options: RespondOptions, guards: GuardVerdict[], settled: SettledGate | undefined): PlanShaper | undefined {
  if (blockingGuardIds(guards).length > 0 || (settled !== undefined && settled.kind !== 'first')) return undefined;
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  return waitShaper({
    approval: options.approval,
    finding: begun.planning.finding,
    playbook: begun.route.playbook,
    incidentId: begun.incidentId,
    now,
    startedAt: () => startedAt,
  });
}

/** The phase `plan`: the playbook's steps from its facts. */
function planOf(begun: Begun, facts: unknown): PlaybookPlan {
  return begun.playbook.plan({ ...begun.planning, facts });
}

/**
 * Staged discovery (contain-instance): guard, claim and act on the first
 * steps (isolation) as soon as the reads they need are in, under the guards
 * decided from those same reads, while the other reads go on. The rest of
 * the plan comes from every read, begins with exactly the steps already
 * running (checked: else nothing more runs), and runs after them with the
 * same guards. Dry-run is this same path with every mutating step blocked.
 */
async function respondEarly(begun: Begun, options: RespondOptions, reading: Reading, first: FirstSteps, clients: AwsClients, now: () => Date): Promise<Report> {
  const { settled, guards } = await settleGate(begun, guardsOf(begun, options, first.resourceTags, first.verdicts), first.steps);
  // A later delivery of an answered (or held) incident: none of its steps runs, only its short notification; the early moves it
  // already sent are reported, left to a holder that relies on them, undone when the incident was answered before (repeat-early-moves.ts).
  if (settled?.kind === 'repeat') {
    await answerRepeatEarlyMoves({
      first,
      clients,
      now,
      deadlineMs: options.deadlineMs,
      incidentId: begun.incidentId,
      findingId: begun.planning.finding.id,
      topicArn: options.topicArn,
      sns: begun.account.notificationSns,
      verdictIds: settled.verdicts.map((v) => v.id),
    });
    const prepared = assemblePlan(begun, options, planOf(begun, await reading.all), guards, settled);
    const startedAt = now().toISOString();
    return finishReport(prepared, await new Acting(clients, now, prepared.restoreLedger, options.deadlineMs).act(prepared.steps, prepared), startedAt, now);
  }
  const startedAt = now().toISOString();
  // Settled: whether this delivery took another's claim over is known, and with it whether its read may be stale.
  const acting = new Acting(clients, now, options.restoreLedger, options.deadlineMs, undefined, { others: begun.gate?.othersMoving });
  const firstAct = acting.act(first.steps, { document: { blockedBy: blockingGuardIds(guards) }, ...(options.config.localEmulator ? { localEmulator: true } : {}) });
  let prepared: PreparedPlan;
  try {
    const planned = planOf(begun, await reading.all);
    assertSamePlan(planned, first);
    prepared = assemblePlan(begun, options, planned, guards, settled, waitOf(begun, options, guards, settled));
  } catch (error) {
    // Isolation is already changing the account: wait for it and say what it did (an ENI may be left on the allow-all group), never drop it.
    const firstOutcomes = await firstAct;
    // The invocation fails and Lambda retries it: the claim goes back unanswered first, or the retry would find the incident being answered.
    // A failure to give it back must not replace the error that names what isolation did (the lease still expires).
    await giveBackAfterPlanningFailure({ begun, options, first, firstOutcomes, guards, settled, cause: error, startedAt, now }).catch(() => undefined);
    throw new StagedPlanningError(error, first.steps, firstOutcomes);
  }
  const firstOutcomes = await firstAct;
  const rest = await acting.act(prepared.steps.slice(first.steps.length), prepared);
  return finishReport(prepared, [...firstOutcomes, ...rest], startedAt, now);
}
