import { toStepError, type StepError } from '../../../lambda/aws/errors';
import { answerOf, changedAccount, UNDECIDED_VERDICTS } from '../../../lambda/ledger/answered';
import type { Report, StepReport } from '../../../lambda/plan/document';
import type { StepOutcome, StepStatus } from '../../../lambda/plan/types';

/*
 * The answered rule (lambda/ledger/answered.ts): an incident is answered only
 * when its changes are done, or when the responder decided none is needed.
 */

const sdk = (name: string, httpStatusCode: number) => toStepError(Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode } }));
const ACCESS_DENIED = sdk('AccessDenied', 403);
const UNAUTHORIZED = sdk('UnauthorizedOperation', 403);
const THROTTLED = sdk('RequestLimitExceeded', 503);

interface Entry {
  readonly id: string;
  readonly status: StepStatus;
  readonly error?: StepError;
  readonly mutating?: boolean;
  readonly requires?: string[];
}

const done = (id: string, more: Partial<Entry> = {}): Entry => ({ id, status: 'done', ...more });
const skipped = (id: string, more: Partial<Entry> = {}): Entry => ({ id, status: 'skipped', ...more });
const failed = (id: string, error: StepError, more: Partial<Entry> = {}): Entry => ({ id, status: 'failed', error, ...more });

function stepOf(entry: Entry, index: number): StepReport {
  return {
    id: entry.id,
    title: entry.id,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    iamActions: [],
    target: 'i-1',
    parameters: {},
    mutating: entry.mutating ?? !['notify', 'evidence'].includes(entry.id),
    why: 'test',
    stage: index + 1,
    requires: entry.requires ?? [],
    status: entry.status,
    ...(entry.error ? { error: entry.error } : {}),
    durationMs: 1,
  };
}

function readOf(entry: Entry): StepOutcome {
  return { id: entry.id, title: entry.id, action: 'ec2:DescribeInstances', target: 'i-1', mutating: false, status: entry.status, ...(entry.error ? { error: entry.error } : {}), durationMs: 1 };
}

function reportOf(parts: { steps?: Entry[]; reads?: Entry[]; blockedBy?: string[] }): Report {
  const steps = (parts.steps ?? [done('isolate:eni-1'), done('notify')]).map(stepOf);
  return {
    playbook: 'contain-instance',
    findingId: 'f-1',
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
    severity: 8,
    accountId: '222222222222',
    region: 'us-east-1',
    incidentId: 'ir-0123456789abcdef',
    dryRun: false,
    offline: false,
    route: { ruleId: 'test', why: 'test' },
    blockedBy: parts.blockedBy ?? [],
    guards: [],
    warnings: [],
    resource: {},
    reads: (parts.reads ?? [done('read:describe-instance:i-1')]).map(readOf),
    steps,
    summary: { done: 0, skipped: 0, failed: 0 },
    startedAt: '2026-11-22T08:00:00.000Z',
    finishedAt: '2026-11-22T08:00:01.000Z',
  };
}

describe('answerOf: answered', () => {
  it('every change done', () => {
    expect(answerOf(reportOf({ steps: [done('snapshot-volumes'), done('isolate:eni-1'), done('notify')] }))).toEqual({
      answered: true,
      kind: 'changes-done',
      reason: 'every change is done or was already in place',
    });
  });

  it('changes already in place (skipped without a guard): a redelivery of a contained instance', () => {
    expect(answerOf(reportOf({ steps: [skipped('snapshot-volumes'), skipped('isolate:eni-1'), done('notify')] }))).toMatchObject({ answered: true, kind: 'changes-done' });
  });

  it('a skipped change whose requirement was itself skipped as already done', () => {
    expect(answerOf(reportOf({ steps: [skipped('tag'), skipped('isolate:eni-1', { requires: ['tag'] })] }))).toMatchObject({ answered: true, kind: 'changes-done' });
  });

  it('the notification and the evidence are no change: their failure leaves the answer as it is (the notification is kept pending instead)', () => {
    expect(answerOf(reportOf({ steps: [done('isolate:eni-1'), failed('notify', THROTTLED), failed('evidence', ACCESS_DENIED)] }))).toMatchObject({ answered: true, kind: 'changes-done' });
  });

  it.each([['sample-finding'], ['exempt-tag'], ['below-severity-floor'], ['exempt-principal'], ['archived-finding'], ['account-not-allowed'], ['unknown-account']])(
    'the responder decided no change is needed: blocked by %s',
    (guard) => {
      expect(answerOf(reportOf({ blockedBy: [guard], steps: [skipped('isolate:eni-1'), done('notify')] }))).toEqual({
        answered: true,
        kind: 'no-change-needed',
        reason: `blocked by ${guard}: no change is to be made`,
      });
    },
  );

  it('dry-run beside another decision is that decision (no-change-needed), not a dry-run', () => {
    expect(answerOf(reportOf({ blockedBy: ['dry-run', 'exempt-tag'], steps: [skipped('isolate:eni-1')] }))).toMatchObject({ answered: true, kind: 'no-change-needed' });
  });

  it('dry-run alone: every change planned and shown, answered at the dry-run level', () => {
    expect(answerOf(reportOf({ blockedBy: ['dry-run'], steps: [skipped('isolate:eni-1'), done('notify')] }))).toEqual({
      answered: true,
      kind: 'dry-run',
      reason: 'every change was planned and shown (dry-run)',
    });
  });

  it('a plan with nothing to change (notify; a terminated instance)', () => {
    expect(answerOf(reportOf({ steps: [done('notify'), done('evidence')] }))).toEqual({ answered: true, kind: 'no-change-needed', reason: 'the plan has nothing to change' });
  });
});

describe('answerOf: left open', () => {
  it.each([...UNDECIDED_VERDICTS].map((id) => [id]))('blocked by %s: nothing was decided', (id) => {
    expect(answerOf(reportOf({ blockedBy: [id], steps: [skipped('isolate:eni-1'), done('notify')] }))).toEqual({ answered: false, reason: `blocked by ${id}: nothing was decided` });
  });

  it('the undecided verdicts are exactly these', () => {
    expect([...UNDECIDED_VERDICTS].sort()).toEqual(
      [
        'already-answered',
        'being-answered',
        'blast-radius-brake',
        'confirmation-unavailable',
        'finding-confirmation',
        'instance-unreadable',
        'joined-incident',
        'ledger-unavailable',
        'claim-unavailable',
        'principal-unreadable',
        'database-unreadable',
        'image-unreadable',
        // A phase before the plan that ran out of its time (lambda/plan/pre-plan-budget.ts).
        'ledger-out-of-time',
        'assume-role-out-of-time',
        'confirmation-out-of-time',
        'discovery-out-of-time',
      ].sort(),
    );
  });

  it('an undecided verdict beside a decision stays open: the decision may rest on the read that failed', () => {
    expect(answerOf(reportOf({ blockedBy: ['exempt-tag', 'instance-unreadable'], steps: [skipped('isolate:eni-1')] }))).toEqual({
      answered: false,
      reason: 'blocked by instance-unreadable: nothing was decided',
    });
  });

  it('an undecided verdict in dry-run stays open too', () => {
    expect(answerOf(reportOf({ blockedBy: ['dry-run', 'instance-unreadable'], steps: [skipped('isolate:eni-1')] })).answered).toBe(false);
  });

  it('a lasting AccessDenied on a discovery read (the plan was made without it), however the plan ended', () => {
    expect(answerOf(reportOf({ reads: [done('read:describe-instance:i-1'), failed('read:describe-asg:i-1', ACCESS_DENIED)], steps: [done('isolate:eni-1')] }))).toEqual({
      answered: false,
      reason: 'read:describe-asg:i-1 (AccessDenied) failed: the plan was made without it',
    });
  });

  it('a failed change, lasting or transient', () => {
    expect(answerOf(reportOf({ steps: [done('snapshot-volumes'), failed('isolate:eni-1', UNAUTHORIZED), done('notify')] }))).toEqual({
      answered: false,
      reason: 'isolate:eni-1 (UnauthorizedOperation) failed: the changes are not all done',
    });
    expect(answerOf(reportOf({ steps: [failed('isolate:eni-1', THROTTLED)] })).answered).toBe(false);
  });

  it('a restore record that could not be written: before any change when nothing else changed, a failed change when something had', () => {
    expect(answerOf(reportOf({ steps: [failed('record-restore:network', ACCESS_DENIED), skipped('isolate:eni-1', { requires: ['record-restore:network'] }), done('notify')] }))).toEqual({
      answered: false,
      reason: 'record-restore:network (AccessDenied) failed before any change: nothing was changed, and the delivery after it is fixed acts',
    });
    expect(answerOf(reportOf({ steps: [done('record-restore:network'), done('isolate:eni-1'), failed('record-restore:containment', ACCESS_DENIED), done('notify')] }))).toEqual({
      answered: false,
      reason: 'record-restore:containment (AccessDenied) failed: the changes are not all done',
    });
  });

  it('a change skipped because a step it needs (directly or not) failed, even a read-only one', () => {
    const report = reportOf({
      steps: [failed('read-profile', ACCESS_DENIED, { mutating: false }), skipped('detach-profile', { requires: ['read-profile'] }), skipped('revoke-sessions', { requires: ['detach-profile'] })],
    });
    expect(answerOf(report)).toEqual({
      answered: false,
      reason: 'detach-profile (needs read-profile, which failed), revoke-sessions (needs read-profile, which failed): the changes are not all done',
    });
  });
});

describe('changedAccount', () => {
  it('does not count a restore record as a change, nor one of a resource inside an attack sequence (r1/record-restore:...)', () => {
    expect(changedAccount(reportOf({ steps: [done('record-restore:network'), skipped('isolate:eni-1'), done('notify')] }))).toBe(false);
    expect(changedAccount(reportOf({ steps: [done('r1/record-restore:network'), skipped('r1/isolate:eni-1'), done('notify')] }))).toBe(false);
    expect(changedAccount(reportOf({ steps: [done('r1/record-restore:network'), done('r1/isolate:eni-1'), done('notify')] }))).toBe(true);
  });
});
