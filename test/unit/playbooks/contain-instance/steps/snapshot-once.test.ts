import { CreateSnapshotsCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { OutcomeUnknownError } from '../../../../../lambda/aws/at-most-once';
import { SNAPSHOT_VOLUMES } from '../../../../../lambda/playbooks/contain-instance/specs';
import { createSnapshotsOnce, CREATE_SNAPSHOTS_ATTEMPTS } from '../../../../../lambda/playbooks/contain-instance/steps/snapshot-once';

/*
 * CreateSnapshots takes no idempotency token: a request whose answer was
 * lost is looked for by the incident's tags before another is sent. The
 * errors are those the SDK hands over once atMostOnce has stopped its own
 * retries (test/unit/aws/at-most-once.test.ts proves that part).
 */

const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: 'us-east-1' });
const INCIDENT = 'ir-0123456789abcdef';
const INSTANCE = 'i-0123456789abcdef0';
const params = {
  InstanceSpecification: { InstanceId: INSTANCE, ExcludeBootVolume: false },
  TagSpecifications: [{ ResourceType: 'snapshot' as const, Tags: [{ Key: 'ir:incident-id', Value: INCIDENT }, { Key: 'ir:source-instance', Value: INSTANCE }] }],
};
const LOOKUP = {
  OwnerIds: ['self'],
  Filters: [
    { Name: 'tag:ir:incident-id', Values: [INCIDENT] },
    { Name: 'tag:ir:source-instance', Values: [INSTANCE] },
  ],
};
const lost = (code = 'TimeoutError') => new OutcomeUnknownError('CreateSnapshots', { code, message: 'no answer', retryable: true });
const throttled = () => Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
const sleeps: number[] = [];
const run = (extra: { timeLeftMs?: () => number } = {}) =>
  createSnapshotsOnce(client, { params, incidentId: INCIDENT, instanceId: INSTANCE, settleMs: 1_000, sleep: async (ms) => void sleeps.push(ms), ...extra });

beforeEach(() => {
  ec2.reset();
  sleeps.length = 0;
});

describe('createSnapshotsOnce', () => {
  it('an answer lost after the set was created: found by the incident tag, no second CreateSnapshots', async () => {
    ec2.on(CreateSnapshotsCommand).rejects(lost());
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-2' }, { SnapshotId: 'snap-1' }] });
    const set = await run();
    expect(set.snapshotIds).toEqual(['snap-1', 'snap-2']);
    expect(set.detail).toBe('snap-1, snap-2 (the answer to CreateSnapshots was lost, TimeoutError; the set it created was found by the incident\'s tags, none created again)');
    expect(ec2.commandCalls(CreateSnapshotsCommand).map((c) => c.args[0].input)).toEqual([params]);
    expect(ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input)).toEqual([LOOKUP]);
    expect(sleeps).toEqual([]);
  });

  it('found only after the settle pause (EC2 lists a new snapshot a moment later): still one CreateSnapshots', async () => {
    ec2.on(CreateSnapshotsCommand).rejects(lost('ECONNRESET'));
    ec2.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [] }).resolves({ Snapshots: [{ SnapshotId: 'snap-1' }] });
    const set = await run();
    expect(set.snapshotIds).toEqual(['snap-1']);
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input)).toEqual([LOOKUP, LOOKUP]);
    expect(sleeps).toEqual([1_000]);
  });

  it('an answer lost before anything was created: nothing found by tag, exactly one more CreateSnapshots', async () => {
    ec2.on(CreateSnapshotsCommand).rejectsOnce(lost('InternalError')).resolves({ Snapshots: [{ SnapshotId: 'snap-9' }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const set = await run();
    expect(set.snapshotIds).toEqual(['snap-9']);
    expect(set.detail).toBe('snap-9 (after InternalError on request 1: no set had landed)');
    expect(ec2.commandCalls(CreateSnapshotsCommand).map((c) => c.args[0].input)).toEqual([params, params]);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(2);
  });

  it('throttled past the SDK\'s own retries (refused, nothing created): fails with its code, no lookup, not sent again', async () => {
    // The SDK retries throttling itself (test/unit/aws/at-most-once.test.ts); this is what is left once it gave up.
    ec2.on(CreateSnapshotsCommand).rejects(throttled());
    await expect(run()).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(0);
  });

  it('a refusal (UnauthorizedOperation) fails the step at once with its code: no lookup, no second request', async () => {
    ec2.on(CreateSnapshotsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    await expect(run()).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(0);
  });

  it('never answered and never found: gives up after the attempts, retryable, saying a retry looks again', async () => {
    ec2.on(CreateSnapshotsCommand).rejects(lost());
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await expect(run()).rejects.toMatchObject({ code: 'SnapshotsNotConfirmed', retryable: true });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(CREATE_SNAPSHOTS_ATTEMPTS);
  });

  it('no time left before the deadline: a lost answer not found is not sent again', async () => {
    ec2.on(CreateSnapshotsCommand).rejects(lost());
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await expect(run({ timeLeftMs: () => 0 })).rejects.toMatchObject({ code: 'SnapshotsNotConfirmed' });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(1);
  });

  it('is declared by the snapshot step, so the role derived from it may look the snapshots up', () => {
    expect(SNAPSHOT_VOLUMES.iamActions).toEqual(['ec2:CreateSnapshots', 'ec2:CreateTags', 'ec2:DescribeSnapshots']);
  });
});
