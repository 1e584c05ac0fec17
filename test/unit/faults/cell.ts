import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { NOTIFICATION_STEP_ID } from '../../../lambda/notify/publish-step';
import type { Report, StepReport } from '../../../lambda/plan/document';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { freshAccount, respondOptions, type Baseline, type Target } from './baseline';
import { declaresCall, matchesCall } from './call-matching';
import type { Fault, InjectedError } from './faults';
import { faultyClients, type SentCall } from './faulty-clients';
import type { FaultScenario, MatrixMocks } from './scenarios';

/* One cell of the matrix: a fresh account, one call broken, respond() in enforce, then every check. */

export interface CellRun {
  readonly report: Report;
  readonly injected: readonly InjectedError[];
  readonly sent: readonly SentCall[];
  readonly publishes: readonly PublishCommandInput[];
}

export async function runCell(mocks: MatrixMocks, scenario: FaultScenario, target: Target, fault: Fault): Promise<CellRun> {
  freshAccount(mocks, scenario);
  const injected: InjectedError[] = [];
  const { clients, sent } = faultyClients({
    matches: (call) => matchesCall(target.call, call),
    errorFor: (call) => {
      const error = fault.errorFor(call);
      injected.push(error);
      return error.error;
    },
  });
  const report = await respond(scenario.finding(), respondOptions(clients, scenario));
  return { report, injected, sent, publishes: mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input) };
}

/**
 * A broken step changes nothing but the steps that require it (skipped,
 * "needs ..."); every other step ends as it did without the fault.
 */
function expectStepFaultContained(report: Report, baseline: Baseline, target: Target): void {
  expect(report.steps.map((s) => s.id)).toEqual(baseline.steps.map((s) => s.id));
  const before = new Map(baseline.outcomes.map((o) => [o.id, o.status]));
  const others = report.steps.filter((s) => s.id !== target.id);
  // A step that undoes what the failed one left (an ENI returned to its groups) runs instead of skipping itself.
  const compensating = new Set(baseline.steps.filter((s) => s.compensates === target.id).map((s) => s.id));
  const expected = (id: string) => (target.dependents.has(id) ? 'skipped' : compensating.has(id) ? 'done' : before.get(id));
  expect(others.map((s) => [s.id, s.status])).toEqual(others.map((s) => [s.id, expected(s.id)]));
  for (const id of target.dependents) expect(report.steps.find((s) => s.id === id)?.reason).toMatch(/^needs /);
}

/**
 * A broken read may change the plan (a step is not planned, or the plan is
 * blocked when it cannot be made without the read). Whatever is planned
 * still runs, unless the report says why not: blocked by a guard, or a
 * reason that names the failed read's error code.
 */
function expectReadFaultContained(report: Report, baseline: Baseline, code: string): void {
  const skippedBefore = new Map(baseline.outcomes.filter((o) => o.status === 'skipped').map((o) => [o.id, o.reason]));
  const explained = (s: StepReport) =>
    s.status === 'done' ||
    (s.status === 'skipped' && s.reason !== undefined && (s.reason.startsWith('blocked by ') || s.reason.includes(code) || skippedBefore.get(s.id) === s.reason));
  expect(report.steps.map((s) => [s.id, explained(s) ? 'ran, or says why not' : `${s.status}: ${s.reason ?? s.error?.code}`])).toEqual(
    report.steps.map((s) => [s.id, 'ran, or says why not']),
  );
}

export function expectCell(run: CellRun, scenario: FaultScenario, baseline: Baseline, target: Target, fault: Fault): void {
  const { report, publishes } = run;
  // Exactly the aimed call failed, once.
  expect(run.injected).toHaveLength(1);
  const { code } = run.injected[0]!;

  // (a) The report names the one read or step that failed, with the code AWS sent and whether a retry can help.
  const failed = [...report.reads, ...report.steps].filter((s) => s.status === 'failed');
  expect(failed.map((s) => ({ id: s.id, code: s.error?.code, retryable: s.error?.retryable }))).toEqual([{ id: target.id, code, retryable: fault.retryable }]);

  // (b) What does not need the failed call still ran.
  if (target.kind === 'step') expectStepFaultContained(report, baseline, target);
  else expectReadFaultContained(report, baseline, code);

  // (c) The notification went out once, naming what failed and why (when the failing call is the publish, it was tried once).
  expect(publishes).toHaveLength(1);
  if (target.id !== NOTIFICATION_STEP_ID) {
    // A group an earlier step created is named by its id, never by the plan's placeholder (<output of STEP>).
    const createdBy = (stepId: string) => /\bcreated (sg-[0-9a-f]+)/.exec(report.steps.find((s) => s.id === stepId)?.detail ?? '')?.[1];
    const shownTarget = target.target.replace(/<output of ([^>]+)>/g, (placeholder, stepId: string) => createdBy(stepId) ?? placeholder);
    expect(shownTarget).not.toContain('<output of');
    expect(publishes[0]!.Message).toContain(`${target.title} [${target.action} on ${shownTarget}] -- ${code}: `);
  }

  // (d) The invocation is retried exactly when a retry can help: a transient fault that left the response incomplete
  // (a discovery read, an action, the notification); a read-only step after planning only gathers evidence.
  const completesResponse = target.kind === 'read' || target.mutating || target.id === NOTIFICATION_STEP_ID;
  expect(shouldRetryInvocation(report).retry).toBe(fault.retryable && completesResponse);

  // Whatever failed, the responder called nothing its derived role does not allow.
  const declared = new Set<string>(stepSpecsOf(scenario.playbook).flatMap((spec) => spec.iamActions));
  expect(run.sent.filter((c) => !declaresCall(declared, c)).map((c) => `${c.service}:${c.action}`)).toEqual([]);
}
