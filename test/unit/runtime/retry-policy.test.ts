import { toStepError, type StepError } from '../../../lambda/aws/errors';
import type { Report, StepReport } from '../../../lambda/plan/document';
import type { StepOutcome, StepStatus } from '../../../lambda/plan/types';
import { failuresOf, RetryableResponseError, shouldFailInvocation, shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';

/* Errors shaped as the SDK throws them, classified by the responder's own toStepError. */
const sdk = (name: string, httpStatusCode: number, code = name) => toStepError(Object.assign(new Error(`${code} (test)`), { name, Code: code, $metadata: { httpStatusCode } }));
const THROTTLED = sdk('RequestLimitExceeded', 503);
/** IAM, Auto Scaling and ELBv2 throttle with this code. */
const THROTTLING = sdk('Throttling', 400);
const SERVER_ERROR = sdk('InternalError', 500);
const UNAVAILABLE = sdk('ServiceUnavailable', 503);
const TIMEOUT = toStepError(Object.assign(new Error('the request socket timed out after 5000 ms of inactivity'), { name: 'TimeoutError' }));
const UNAUTHORIZED = sdk('UnauthorizedOperation', 403);
const ACCESS_DENIED = sdk('AccessDenied', 403);
const GROUP_NOT_FOUND = sdk('InvalidGroup.NotFound', 400);
const NO_SUCH_ENTITY = sdk('NoSuchEntityException', 404, 'NoSuchEntity');
const INSTANCE_NOT_FOUND = sdk('InvalidInstanceID.NotFound', 400);
const INCORRECT_STATE = sdk('IncorrectInstanceState', 400);
const VALIDATION = sdk('ValidationError', 400);

interface Entry {
  readonly id: string;
  readonly status: StepStatus;
  readonly error?: StepError;
  /** Steps are actions unless said otherwise; the notification never is. */
  readonly mutating?: boolean;
}

const done = (id: string): Entry => ({ id, status: 'done' });
const skipped = (id: string): Entry => ({ id, status: 'skipped' });
const failed = (id: string, error: StepError): Entry => ({ id, status: 'failed', error });
/** A read-only step after planning, such as the investigation of a credential. */
const evidence = (entry: Entry): Entry => ({ ...entry, mutating: false });

function stepOf(entry: Entry, index: number): StepReport {
  return {
    id: entry.id,
    title: `step ${entry.id}`,
    action: 'ec2:CreateTags',
    iamActions: ['ec2:CreateTags'],
    target: 'i-0a1b2c3d4e5f60718',
    parameters: {},
    mutating: entry.mutating ?? entry.id !== 'notify',
    why: 'test',
    stage: index + 1,
    requires: [],
    status: entry.status,
    ...(entry.status === 'skipped' ? { reason: 'test' } : {}),
    ...(entry.error ? { error: entry.error } : {}),
    durationMs: 1,
  };
}

function readOf(entry: Entry): StepOutcome {
  return { id: entry.id, title: `read ${entry.id}`, action: 'ec2:DescribeInstances', target: 'i-0a1b2c3d4e5f60718', mutating: false, status: entry.status, ...(entry.error ? { error: entry.error } : {}), durationMs: 1 };
}

function reportOf(parts: { steps?: Entry[]; reads?: Entry[]; blockedBy?: string[] }): Report {
  const steps = (parts.steps ?? [done('notify')]).map(stepOf);
  return {
    playbook: 'contain-instance',
    findingId: 'finding-1',
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
    severity: 8,
    accountId: '222222222222',
    region: 'us-east-1',
    incidentId: 'ir-0123456789abcdef',
    dryRun: false,
    offline: false,
    route: { ruleId: 'test', why: 'test' },
    blockedBy: parts.blockedBy ?? [],
    guards: (parts.blockedBy ?? []).map((id) => ({ id, blocks: true, reason: 'test' })),
    warnings: [],
    resource: {},
    reads: (parts.reads ?? [done('read:describe-instance:i-0a1b2c3d4e5f60718')]).map(readOf),
    steps,
    summary: {
      done: steps.filter((s) => s.status === 'done').length,
      skipped: steps.filter((s) => s.status === 'skipped').length,
      failed: steps.filter((s) => s.status === 'failed').length,
    },
    startedAt: '2026-11-22T08:00:00.000Z',
    finishedAt: '2026-11-22T08:00:01.000Z',
  };
}

describe('shouldRetryInvocation: nothing to retry', () => {
  it('does not retry a response where every step is done or skipped', () => {
    expect(shouldRetryInvocation(reportOf({ steps: [done('isolate:eni-1'), skipped('snapshot-volumes'), done('notify')] }))).toEqual({
      retry: false,
      reason: 'nothing failed',
    });
  });

  it.each([
    ['dry-run', ['dry-run']],
    ['a sample finding', ['sample-finding']],
    ['the exempt tag', ['exempt-tag']],
    ['a lasting guard beside a failed read', ['sample-finding', 'instance-unreadable']],
  ])('does not retry a plan blocked by %s, even when a read was throttled', (_, blockedBy) => {
    const decision = shouldRetryInvocation(
      reportOf({ blockedBy, reads: [failed('read:describe-instance:i-1', THROTTLED)], steps: [skipped('isolate:eni-1'), done('notify')] }),
    );
    expect(decision.retry).toBe(false);
    expect(decision.reason).toBe(`blocked by ${blockedBy.filter((id) => id !== 'instance-unreadable').join(', ')}: a retry would be blocked the same way`);
  });
});

describe('shouldRetryInvocation: a delivery that lost the claim to one still answering (being-answered)', () => {
  it('retries although nothing failed: the holder may be a forged copy that answers nothing', () => {
    expect(shouldRetryInvocation(reportOf({ blockedBy: ['being-answered'], steps: [skipped('notify')] }))).toEqual({
      retry: true,
      reason:
        'incident ir-0123456789abcdef is held by another delivery that has not answered it yet (being-answered): a retry finds it answered, or claims it once that delivery has given it back',
    });
  });

  it('does not retry when a lasting guard blocks the response as well', () => {
    expect(shouldRetryInvocation(reportOf({ blockedBy: ['dry-run', 'being-answered'], steps: [skipped('notify')] }))).toEqual({
      retry: false,
      reason: 'blocked by dry-run: a retry would be blocked the same way',
    });
  });

  it('never retries an incident already answered (already-answered is lasting)', () => {
    expect(shouldRetryInvocation(reportOf({ blockedBy: ['already-answered'], steps: [skipped('notify')] })).retry).toBe(false);
  });
});

describe('shouldRetryInvocation: failures a retry can fix', () => {
  it.each([
    ['EC2 throttling', THROTTLED],
    ['IAM throttling', THROTTLING],
    ['a 500', SERVER_ERROR],
    ['a 503', UNAVAILABLE],
    ['a socket timeout', TIMEOUT],
  ])('retries when a mutating step failed with %s', (_, error) => {
    expect(error.retryable).toBe(true);
    const decision = shouldRetryInvocation(reportOf({ steps: [done('termination-protection'), failed('isolate:eni-1', error), done('notify')] }));
    expect(decision).toEqual({ retry: true, reason: `isolate:eni-1 (${error.code}) failed for a transient reason: a retry can complete the response` });
  });

  it('retries when a read the plan needed was throttled, even though the plan changed nothing for it', () => {
    const decision = shouldRetryInvocation(reportOf({ reads: [failed('read:describe-target-groups:target groups', THROTTLING)], steps: [done('isolate:eni-1'), done('notify')] }));
    expect(decision.retry).toBe(true);
    expect(decision.reason).toContain('read:describe-target-groups:target groups (Throttling)');
  });

  it.each([['instance-unreadable'], ['principal-unreadable']])('retries a plan blocked only by %s when the read failed for a transient reason', (verdict) => {
    const decision = shouldRetryInvocation(reportOf({ blockedBy: [verdict], reads: [failed('read:x:y', TIMEOUT)], steps: [skipped('revoke'), done('notify')] }));
    expect(decision).toEqual({ retry: true, reason: 'read:x:y (TimeoutError) failed for a transient reason: a retry can complete the response' });
  });

  it('retries when only the notification failed for a transient reason, so the report reaches the on-failure queue', () => {
    expect(shouldRetryInvocation(reportOf({ steps: [done('isolate:eni-1'), failed('notify', SERVER_ERROR)] })).retry).toBe(true);
  });

  it('retries a transient failure beside a lasting one, and says the lasting one will fail again', () => {
    const decision = shouldRetryInvocation(reportOf({ steps: [failed('isolate:eni-1', THROTTLED), failed('tag-instance', UNAUTHORIZED), done('notify')] }));
    expect(decision).toEqual({
      retry: true,
      reason: 'isolate:eni-1 (RequestLimitExceeded) failed for a transient reason: a retry can complete the response; tag-instance (UnauthorizedOperation) will fail again',
    });
  });
});

describe('shouldRetryInvocation: failures a retry cannot fix', () => {
  it.each([
    ['UnauthorizedOperation', UNAUTHORIZED],
    ['AccessDenied', ACCESS_DENIED],
    ['InvalidGroup.NotFound', GROUP_NOT_FOUND],
    ['NoSuchEntity', NO_SUCH_ENTITY],
    ['IncorrectInstanceState', INCORRECT_STATE],
    ['ValidationError', VALIDATION],
  ])('does not retry when the only failure is %s', (code, error) => {
    expect(error).toMatchObject({ code, retryable: false });
    const decision = shouldRetryInvocation(reportOf({ steps: [done('isolate:eni-1'), failed('detach', error), done('notify')] }));
    expect(decision.retry).toBe(false);
  });

  it('names every lasting failure in the reason', () => {
    const decision = shouldRetryInvocation(reportOf({ reads: [failed('read:a:b', ACCESS_DENIED)], steps: [failed('detach', VALIDATION), done('notify')] }));
    expect(decision).toEqual({ retry: false, reason: 'read:a:b (AccessDenied), detach (ValidationError) cannot succeed on a retry (not a throttling, 5xx or timeout error)' });
  });

  it('does not retry a plan blocked by instance-unreadable when the read was denied', () => {
    expect(shouldRetryInvocation(reportOf({ blockedBy: ['instance-unreadable'], reads: [failed('read:x:y', UNAUTHORIZED)] })).retry).toBe(false);
  });

  it.each([
    ['InvalidInstanceID.NotFound', INSTANCE_NOT_FOUND],
    ['IncorrectInstanceState', INCORRECT_STATE],
  ])('does not retry a throttled step when another says the instance is gone (%s)', (code, error) => {
    const decision = shouldRetryInvocation(reportOf({ steps: [failed('isolate:eni-1', THROTTLED), failed('tag-instance', error), done('notify')] }));
    expect(decision).toEqual({ retry: false, reason: `tag-instance (${code}): the instance is gone or terminating, a retry finds nothing left to contain` });
  });

  it('treats a failure that carries no error as one a retry cannot fix', () => {
    const report = reportOf({ steps: [{ id: 'detach', status: 'failed' }, done('notify')] });
    expect(failuresOf(report)).toEqual([{ id: 'detach', error: { code: 'UnknownError', message: 'failed without an error', retryable: false }, incompleteResponse: true }]);
    expect(shouldRetryInvocation(report).retry).toBe(false);
  });
});

describe('shouldRetryInvocation: read-only steps after planning (the investigation)', () => {
  it('does not repeat every action because an evidence step was throttled', () => {
    const decision = shouldRetryInvocation(reportOf({ steps: [done('revoke-user-sessions'), evidence(failed('investigate-key-events', sdk('ThrottlingException', 400))), done('notify')] }));
    expect(decision).toEqual({
      retry: false,
      reason: 'investigate-key-events (ThrottlingException) only gathered evidence after the response: not worth repeating every action for',
    });
  });

  it('says both why nothing is retried when an action was denied and an evidence step timed out', () => {
    const decision = shouldRetryInvocation(reportOf({ steps: [failed('revoke-user-sessions', ACCESS_DENIED), evidence(failed('investigate-key-events', TIMEOUT)), done('notify')] }));
    expect(decision).toEqual({
      retry: false,
      reason:
        'revoke-user-sessions (AccessDenied) cannot succeed on a retry (not a throttling, 5xx or timeout error); ' +
        'investigate-key-events (TimeoutError) only gathered evidence after the response: not worth repeating every action for',
    });
  });

  it('still retries a throttled action beside a failed evidence step', () => {
    const decision = shouldRetryInvocation(reportOf({ steps: [failed('revoke-user-sessions', THROTTLING), evidence(failed('investigate-key-events', TIMEOUT)), done('notify')] }));
    expect(decision).toEqual({ retry: true, reason: 'revoke-user-sessions (Throttling) failed for a transient reason: a retry can complete the response' });
  });
});

describe('RetryableResponseError', () => {
  it('carries the report summary and the failed steps and reads, and says why in its message', () => {
    const report = reportOf({
      reads: [failed('read:describe-target-groups:target groups', THROTTLED)],
      steps: [done('isolate:eni-1'), failed('tag-instance', TIMEOUT), skipped('snapshot-volumes'), done('notify')],
    });
    const decision = shouldRetryInvocation(report);
    const error = new RetryableResponseError(report, decision.reason);

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RetryableResponseError');
    expect(error.summary).toEqual({ done: 2, skipped: 1, failed: 1 });
    expect(error.failedStepIds).toEqual(['read:describe-target-groups:target groups', 'tag-instance']);
    expect(error).toMatchObject({ playbook: 'contain-instance', findingId: 'finding-1', incidentId: 'ir-0123456789abcdef' });
    expect(error.message).toBe(
      'contain-instance on finding finding-1 (incident ir-0123456789abcdef): ' +
        'read:describe-target-groups:target groups (RequestLimitExceeded), tag-instance (TimeoutError) failed for a transient reason: ' +
        'a retry can complete the response [done 2, skipped 1, failed 1]',
    );
  });
});

describe('shouldRetryInvocation: an ENI left more exposed than it was found', () => {
  const exposedReport = (error: StepError) => {
    const report = reportOf({ steps: [failed('isolate:eni-1', UNAUTHORIZED), failed('restore:eni-1', error), done('notify')] });
    return { ...report, steps: report.steps.map((s) => (s.id === 'restore:eni-1' ? { ...s, exposed: 'eni-1' } : s)) };
  };

  it.each([
    ['a lasting code', UNAUTHORIZED],
    ['a transient code', THROTTLED],
    ['the instance going away', INCORRECT_STATE],
  ])('fails the invocation so it is retried, whatever the code (%s), naming the ENI', (_what, error) => {
    expect(shouldRetryInvocation(exposedReport(error))).toEqual({
      retry: true,
      reason: 'eni-1 may be left on the allow-all security group (more exposed than before): a retry must close them',
    });
    expect(shouldFailInvocation(exposedReport(error)).retry).toBe(true);
  });

  it('a failed restore that exposes nothing follows the ordinary rules', () => {
    const report = reportOf({ steps: [failed('isolate:eni-1', UNAUTHORIZED), failed('restore:eni-1', UNAUTHORIZED), done('notify')] });
    expect(shouldRetryInvocation(report).retry).toBe(false);
  });
});

describe('shouldFailInvocation: the outcome could not be recorded in the incident ledger', () => {
  const unrecorded = (report: Report): Report => ({ ...report, ledger: { table: 'incident-ledger', key: 'incident#ir-0123456789abcdef', recorded: false, error: ACCESS_DENIED } });

  it('fails the invocation although every step is done, naming the ledger and the error code', () => {
    const report = unrecorded(reportOf({ steps: [done('isolate:eni-1'), done('notify')] }));
    expect(shouldRetryInvocation(report).retry).toBe(false);
    expect(shouldFailInvocation(report)).toEqual({
      retry: true,
      reason:
        'the outcome could not be recorded in the incident ledger incident-ledger (pk "incident#ir-0123456789abcdef", AccessDenied): ' +
        'a retry of this invocation takes its claim over and records it; the report is in this error and the logs',
    });
  });

  it('fails it even when a lasting guard blocked the response (the ledger does not know that either)', () => {
    expect(shouldFailInvocation(unrecorded(reportOf({ blockedBy: ['exempt-tag'], steps: [skipped('isolate:eni-1'), done('notify')] }))).retry).toBe(true);
  });

  it('a recorded outcome changes nothing', () => {
    const report = { ...reportOf({ steps: [done('isolate:eni-1'), done('notify')] }), ledger: { table: 'incident-ledger', key: 'incident#ir-0123456789abcdef', recorded: true } };
    expect(shouldFailInvocation(report)).toEqual({ retry: false, reason: 'nothing failed' });
  });

  it('the failed notification names the unrecorded ledger too', () => {
    const decision = shouldFailInvocation(unrecorded(reportOf({ steps: [done('isolate:eni-1'), failed('notify', THROTTLED)] })));
    expect(decision.retry).toBe(true);
    expect(decision.reason).toContain('the report could NOT be recorded in the incident ledger either (AccessDenied)');
  });
});
