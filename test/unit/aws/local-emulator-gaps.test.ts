import { createAwsClients } from '../../../lambda/aws/clients';
import { ResponderError } from '../../../lambda/aws/errors';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { isLocalEmulatorGap, localEmulatorGapOf, notInLocalEmulatorReason, recordedOutcome } from '../../../lambda/aws/local-emulator-gaps';
import { executePlan } from '../../../lambda/plan/executor';
import { ReadLog } from '../../../lambda/plan/reads';
import { planStep, type ExecutionContext, type PlannedStep, type StepOutcome, type StepSpec } from '../../../lambda/plan/types';

/*
 * The calls moto cannot answer are decided in one place: where a step's or
 * a read's outcome is made. Only with localEmulator, only read-only, only a
 * listed action: everything else that fails stays failed.
 */

const LOOKUP_EVENTS: StepSpec = { kind: 'investigate-key-events', iamActions: ['cloudtrail:LookupEvents'], mutating: false };
const ACCESS_ADVISOR: StepSpec = { kind: 'investigate-services-accessed', iamActions: ['iam:GenerateServiceLastAccessedDetails', 'iam:GetServiceLastAccessedDetails'], mutating: false };
const KEY_LAST_USED: StepSpec = { kind: 'investigate-key-last-used', iamActions: ['iam:GetAccessKeyLastUsed'], mutating: false };
// A change whose action is in the list: never relabelled.
const HUB_NOTE: StepSpec = { kind: 'update-security-hub-finding', iamActions: ['securityhub:BatchUpdateFindings'], mutating: true };
const CONFIRM: StepSpec = { kind: 'confirm-finding', iamActions: ['guardduty:GetFindings'], mutating: false };
// moto answers ListDetectors: not a gap.
const DETECTOR: StepSpec = { kind: 'find-guardduty-detector', iamActions: ['guardduty:ListDetectors'], mutating: false };

const CLOUDTRAIL_REASON = 'not available in the local emulator (CloudTrail event history: moto does not implement cloudtrail:LookupEvents; on AWS it answers)';
const ADVISOR_REASON = 'not available in the local emulator (IAM Access Advisor: moto does not implement iam:GenerateServiceLastAccessedDetails; on AWS it answers)';

const motoError = () => new ResponderError('InternalFailure', 'moto: not yet implemented');

function failing(id: string, spec: StepSpec): PlannedStep {
  return planStep(spec, {
    id,
    title: `step ${id}`,
    action: spec.iamActions[0]!,
    target: 't',
    parameters: {},
    why: 'test',
    stage: 1,
    run: () => Promise.reject(motoError()),
  });
}

function context(): ExecutionContext {
  return { clients: createAwsClients({ region: 'us-east-1' }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => new Date('2026-12-06T00:00:00Z') };
}

const PLAN = () => [failing('events', LOOKUP_EVENTS), failing('advisor', ACCESS_ADVISOR), failing('last-used', KEY_LAST_USED), failing('hub', HUB_NOTE)];
const summary = (outcomes: readonly StepOutcome[]) => outcomes.map((o) => [o.id, o.status, o.error?.code ?? o.reason]);

describe('the executor', () => {
  it('localEmulator: a failed read-only step of a listed action is skipped with the reason; an unlisted one and a change stay failed', async () => {
    const outcomes = await executePlan(PLAN(), context(), { blockedBy: [], localEmulator: true });
    expect(summary(outcomes)).toEqual([
      ['events', 'skipped', CLOUDTRAIL_REASON],
      ['advisor', 'skipped', ADVISOR_REASON],
      ['last-used', 'failed', 'InternalFailure'],
      ['hub', 'failed', 'InternalFailure'],
    ]);
    expect(outcomes[0]!.error).toBeUndefined();
  });

  it.each([
    ['localEmulator false (every deployed stack)', { localEmulator: false }],
    ['localEmulator absent', {}],
  ])('%s: every failure stays a failure, listed actions included', async (_, flag) => {
    const outcomes = await executePlan(PLAN(), context(), { blockedBy: [], ...flag });
    expect(summary(outcomes)).toEqual([
      ['events', 'failed', 'InternalFailure'],
      ['advisor', 'failed', 'InternalFailure'],
      ['last-used', 'failed', 'InternalFailure'],
      ['hub', 'failed', 'InternalFailure'],
    ]);
  });

  it('localEmulator: a listed read-only step that answers is done, as anywhere', async () => {
    const answered = planStep(LOOKUP_EVENTS, { id: 'events', title: 't', action: 'cloudtrail:LookupEvents', target: 't', parameters: {}, why: 'w', stage: 1, run: async () => ({ status: 'done', detail: '0 events' }) });
    const [outcome] = await executePlan([answered], context(), { blockedBy: [], localEmulator: true });
    expect([outcome!.status, outcome!.detail]).toEqual(['done', '0 events']);
  });
});

describe('the read log', () => {
  const read = (log: ReadLog, spec: StepSpec) => log.read(spec, `read ${spec.kind}`, 'guardduty:us-east-1', () => Promise.reject(motoError()));

  it('localEmulator: a failed read of a listed action is recorded skipped with the reason; its caller still gets the failure', async () => {
    const log = new ReadLog(undefined, { localEmulator: true });
    const result = await read(log, CONFIRM);
    expect(result).toEqual({ ok: false, error: { code: 'InternalFailure', message: 'moto: not yet implemented', retryable: false } });
    expect(log.outcomes.map((o) => [o.status, o.reason, o.error])).toEqual([
      ['skipped', 'not available in the local emulator (GuardDuty findings: moto does not implement guardduty:GetFindings; on AWS it answers)', undefined],
    ]);
  });

  it('localEmulator: a failed read of an unlisted action stays failed (ListDetectors: moto answers it)', async () => {
    const log = new ReadLog(undefined, { localEmulator: true });
    await read(log, KEY_LAST_USED);
    await read(log, DETECTOR);
    expect(log.outcomes.map((o) => [o.status, o.error?.code])).toEqual([
      ['failed', 'InternalFailure'],
      ['failed', 'InternalFailure'],
    ]);
  });

  it('without localEmulator, a failed read of a listed action stays failed', async () => {
    for (const log of [new ReadLog(), new ReadLog(undefined, { localEmulator: false })]) {
      await read(log, CONFIRM);
      expect(log.outcomes.map((o) => [o.status, o.error?.code])).toEqual([['failed', 'InternalFailure']]);
    }
  });
});

describe('the list and its words', () => {
  const failed: StepOutcome = { id: 'x', title: 'x', action: 'cloudtrail:LookupEvents', target: 't', mutating: false, status: 'failed', error: { code: 'E', message: 'm', retryable: false }, durationMs: 1 };

  it('says what the call is, that moto lacks it, and that AWS answers', () => {
    expect(notInLocalEmulatorReason('securityhub:BatchUpdateFindings')).toBe(
      'not available in the local emulator (Security Hub: moto does not implement securityhub:BatchUpdateFindings; on AWS it answers)',
    );
    expect(localEmulatorGapOf(true, 'guardduty:ArchiveFindings')).toBe(
      'not available in the local emulator (GuardDuty findings: moto does not implement guardduty:ArchiveFindings; on AWS it answers)',
    );
    expect([localEmulatorGapOf(false, 'guardduty:ArchiveFindings'), localEmulatorGapOf(undefined, 'guardduty:ArchiveFindings'), localEmulatorGapOf(true, 'ec2:DescribeInstances')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    // Not an own property of the list: never a gap.
    expect(localEmulatorGapOf(true, 'constructor')).toBeUndefined();
  });

  it('relabels only a failed read-only outcome, and never one that was done or skipped for another reason', () => {
    expect(recordedOutcome(failed, true)).toEqual({ id: 'x', title: 'x', action: 'cloudtrail:LookupEvents', target: 't', mutating: false, status: 'skipped', reason: CLOUDTRAIL_REASON, durationMs: 1 });
    expect(recordedOutcome({ ...failed, mutating: true }, true)).toEqual({ ...failed, mutating: true });
    expect(recordedOutcome(failed, false)).toBe(failed);
    const done: StepOutcome = { ...failed, status: 'done', error: undefined };
    expect(recordedOutcome(done, true)).toBe(done);
  });

  it('tells a gap from any other skip', () => {
    expect(isLocalEmulatorGap({ status: 'skipped', reason: CLOUDTRAIL_REASON })).toBe(true);
    expect(isLocalEmulatorGap({ status: 'failed', reason: CLOUDTRAIL_REASON })).toBe(false);
    expect(isLocalEmulatorGap({ status: 'skipped', reason: 'blocked by dry-run' })).toBe(false);
  });
});
