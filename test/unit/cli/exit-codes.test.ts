import { EXIT, reportExitCode, worstExitCode } from '../../../cli/exit-codes';
import type { Report, StepReport } from '../../../lambda/plan/document';

/*
 * The exit code tells containment from investigation: a failed change (1)
 * from short evidence (3) from a refusal (4) from done (0).
 */

type Status = StepReport['status'];

function step(id: string, mutating: boolean, status: Status, retryable = false): StepReport {
  return {
    id,
    title: id,
    action: mutating ? 'ec2:ModifyNetworkInterfaceAttribute' : 'cloudtrail:LookupEvents',
    iamActions: [],
    target: 't',
    parameters: {},
    mutating,
    why: 'w',
    stage: 1,
    requires: [],
    status,
    ...(status === 'failed' ? { error: { code: 'Boom', message: 'boom', retryable } } : {}),
    ...(status === 'skipped' ? { reason: 'r' } : {}),
    durationMs: 1,
  } as StepReport;
}

function report(steps: StepReport[], extra: Partial<Report> = {}): Report {
  const summary = {
    done: steps.filter((s) => s.status === 'done').length,
    skipped: steps.filter((s) => s.status === 'skipped').length,
    failed: steps.filter((s) => s.status === 'failed').length,
  };
  return { steps, reads: [], blockedBy: [], summary, ...extra } as unknown as Report;
}

const notify = (status: Status) => ({ ...step('notify', false, status), action: 'sns:Publish' }) as StepReport;

describe('reportExitCode', () => {
  it('0: every step done', () => {
    expect(reportExitCode(report([step('isolate', true, 'done'), step('investigate', false, 'done'), notify('done')]))).toBe(EXIT.ok);
  });

  it('1: a change failed, whatever else was done', () => {
    expect(reportExitCode(report([step('isolate', true, 'failed'), step('investigate', false, 'failed'), notify('done')]))).toBe(EXIT.actionFailed);
  });

  it('1: the notification failed (people must hear of every response)', () => {
    expect(reportExitCode(report([step('isolate', true, 'done'), notify('failed')]))).toBe(EXIT.actionFailed);
  });

  it('1: a read the plan needed failed', () => {
    const failedRead = { id: 'read:instance:i-1', title: 'r', action: 'ec2:DescribeInstances', target: 'i-1', mutating: false, status: 'failed', error: { code: 'Throttling', message: 'slow', retryable: true }, durationMs: 1 };
    expect(reportExitCode(report([step('isolate', true, 'skipped')], { reads: [failedRead] } as unknown as Partial<Report>))).toBe(EXIT.actionFailed);
  });

  it('1: the outcome could not be recorded in the ledger (the trail is missing)', () => {
    expect(reportExitCode(report([step('isolate', true, 'done'), notify('done')], { ledger: { table: 't', key: 'k', recorded: false } }))).toBe(EXIT.actionFailed);
  });

  it('3: every change done, only a read-only investigation or evidence step failed', () => {
    expect(reportExitCode(report([step('isolate', true, 'done'), step('investigate', false, 'failed', true), notify('done')]))).toBe(EXIT.evidenceFailed);
  });

  it('4: a guard refused the planned changes', () => {
    expect(reportExitCode(report([step('isolate', true, 'skipped'), notify('done')], { blockedBy: ['exempt-tag'] }))).toBe(EXIT.blocked);
  });

  it('4, not 3: a refusal did no change, whatever the investigation beside it came to', () => {
    expect(reportExitCode(report([step('isolate', true, 'skipped'), step('investigate', false, 'failed', true), notify('done')], { blockedBy: ['blast-radius-brake'] }))).toBe(EXIT.blocked);
  });

  it('0: a dry-run, and a re-delivery the ledger already answered, are not refusals', () => {
    expect(reportExitCode(report([step('isolate', true, 'skipped'), notify('done')], { blockedBy: ['dry-run'] }))).toBe(EXIT.ok);
    expect(reportExitCode(report([step('isolate', true, 'skipped'), notify('done')], { blockedBy: ['already-answered'] }))).toBe(EXIT.ok);
    expect(reportExitCode(report([step('isolate', true, 'skipped'), notify('done')], { blockedBy: ['joined-incident'] }))).toBe(EXIT.ok);
  });

  it('0: a guard blocking a plan with no change in it (notify only) refuses nothing', () => {
    expect(reportExitCode(report([notify('done')], { blockedBy: ['sample-finding'] }))).toBe(EXIT.ok);
  });

  it('1: a summary counting a failure its steps do not show fails closed', () => {
    expect(reportExitCode({ ...report([]), summary: { done: 0, skipped: 0, failed: 1 } })).toBe(EXIT.actionFailed);
  });
});

describe('worstExitCode', () => {
  it('ranks a failed change over bad input over short evidence over a refusal over done', () => {
    expect(worstExitCode([EXIT.ok, EXIT.blocked, EXIT.evidenceFailed, EXIT.actionFailed])).toBe(EXIT.actionFailed);
    expect(worstExitCode([EXIT.ok, EXIT.blocked, EXIT.evidenceFailed])).toBe(EXIT.evidenceFailed);
    expect(worstExitCode([EXIT.ok, EXIT.blocked])).toBe(EXIT.blocked);
    expect(worstExitCode([])).toBe(EXIT.ok);
  });
});
