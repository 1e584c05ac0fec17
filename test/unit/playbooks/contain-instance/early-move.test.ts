import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Finding } from '../../../../lambda/finding/schema';
import type { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { forgetEverything, recallGroups, rememberGroups } from '../../../../lambda/playbooks/contain-instance/early/group-memory';
import { stepSpecsOf } from '../../../../lambda/playbooks/registry';
import { respond } from '../../../../lambda/respond/respond';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import {
  ACCOUNT_ID,
  awsError,
  CREATED_ISOLATION_SG,
  defaultInstance,
  INSTANCE_ID,
  ISOLATION_SG_A,
  PRIMARY_ENI,
  responderGroup,
  SECONDARY_ENI,
  UNTRACK_SG_A,
  VPC_A,
} from '../../../support/aws-mocks/contain-world';

/*
 * The early move (lambda/playbooks/contain-instance/early/): a warm
 * container that remembers the VPC's groups moves a single-ENI instance to
 * the untrack group by the instance's id before any read, verifies the
 * remembered groups from the by-tag read beside it, moves the ENI (by the id
 * the read confirmed) to the isolation group, and puts it back on the groups
 * the read saw when any check says stop.
 */

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const h = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();
const ORIGINAL_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
const KEY = { accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A };

/** The default instance with its primary ENI only. */
function singleEniInstance() {
  const instance = defaultInstance();
  return { ...instance, NetworkInterfaces: instance.NetworkInterfaces!.filter((eni) => eni.NetworkInterfaceId === PRIMARY_ENI) };
}

beforeEach(() => {
  forgetEverything();
  h.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  h.world.instance = singleEniInstance();
});

function run(options: { finding?: Finding; held?: boolean; restoreLedger?: RestoreLedger } = {}): Promise<Report> {
  const finding = options.finding ?? containFinding();
  if (options.held === false) guardDuty.holds();
  else guardDuty.holds(finding);
  return respond(finding, {
    config: enforceConfig(),
    clients: h.clients,
    dryRun: false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
    earlyMove: true,
    ...(options.restoreLedger ? { restoreLedger: options.restoreLedger } : {}),
  });
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return found;
}

/** The EC2 calls in the order they were sent. */
const ec2Log = () => h.world.log.map((entry) => ({ command: entry.command, input: entry.input }));
const groupMoves = () => ec2Log().filter((c) => c.command === 'ModifyNetworkInterfaceAttribute' || (c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input));

describe('a warm container, the VPC’s groups remembered, a single-ENI instance', () => {
  beforeEach(() => rememberGroups(KEY, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A }));

  it('sends the instance-level move to the untrack group before any read, then the isolation move by the ENI id the read confirmed', async () => {
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    // The first EC2 call of the response, before any read of the instance or the groups.
    const first = h.mocks.ec2.calls()[0]!.args[0] as unknown as { constructor: { name: string }; input: unknown };
    expect({ command: first.constructor.name, input: first.input }).toEqual({ command: 'ModifyInstanceAttributeCommand', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } });
    expect(groupMoves()).toEqual([
      { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } },
      { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] } },
    ]);
    // The isolation move went out only after the instance and the groups were read.
    const log = ec2Log().map((c) => c.command);
    expect(log.indexOf('ModifyNetworkInterfaceAttribute')).toBeGreaterThan(log.indexOf('DescribeInstances'));
    expect(log.indexOf('ModifyNetworkInterfaceAttribute')).toBeGreaterThan(log.indexOf('DescribeSecurityGroups'));
    expect(step(report, `early-untrack:${INSTANCE_ID}`)).toMatchObject({ status: 'done', action: 'ec2:ModifyInstanceAttribute', parameters: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } });
    expect(step(report, `isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'done', parameters: { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] } });
    expect(step(report, `put-back:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped' });
    // The restore record holds the groups the read saw.
    expect(step(report, 'record-restore:network').parameters).toMatchObject({ record: { networkInterfaces: [{ networkInterfaceId: PRIMARY_ENI, groupIds: ORIGINAL_GROUPS }] } });
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
  });

  it('logs the groups the interface had before the isolation move is sent (the restore record is written beside it)', async () => {
    const movesWhenLogged: unknown[][] = [];
    const info = jest.spyOn(Logger.prototype, 'info').mockImplementation((message: unknown, ...extra: unknown[]) => {
      expect(message).toBe('early move: the groups the interface had, before its move to the isolation group');
      expect(extra).toEqual([{ instanceId: INSTANCE_ID, networkInterfaceId: PRIMARY_ENI, originalGroupIds: ORIGINAL_GROUPS }]);
      movesWhenLogged.push(groupMoves());
    });
    try {
      await run();
      // Logged once, when only the instance-level move to the untrack group had been made.
      expect(movesWhenLogged).toEqual([[{ command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } }]]);
      expect(info).toHaveBeenCalledTimes(1);
    } finally {
      info.mockRestore();
    }
  });

  it('the instance carries the exempt tag (not in the finding): no isolation move, the instance is put back at once on the groups the read saw', async () => {
    h.world.instance = { ...singleEniInstance(), Tags: [...singleEniInstance().Tags!, { Key: 'ir:exempt', Value: 'true' }] };
    const report = await run();
    expect(report.blockedBy).toContain('exempt-tag');
    expect(groupMoves()).toEqual([
      { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } },
      { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: ORIGINAL_GROUPS } },
    ]);
    expect(step(report, `early-untrack:${INSTANCE_ID}`).detail).toMatch(/put back at once on sg-0web000000000001, sg-0ssh000000000001.*a check said stop/);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });

  it('GuardDuty does not hold the finding (its answer comes beside the reads): no isolation move, put back at once', async () => {
    const report = await run({ held: false });
    expect(report.blockedBy.length).toBeGreaterThan(0);
    expect(groupMoves().map((m) => m.input.Groups)).toEqual([[UNTRACK_SG_A], ORIGINAL_GROUPS]);
    expect(step(report, `early-untrack:${INSTANCE_ID}`).status).toBe('done');
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });

  it('the restore record cannot be written: the ENI is put back, the report says why', async () => {
    const failing: RestoreLedger = {
      tableName: 'ledger-table',
      record: () => Promise.reject(awsError('ProvisionedThroughputExceededException')),
    } as unknown as RestoreLedger;
    const report = await run({ restoreLedger: failing });
    expect(step(report, 'record-restore:network').status).toBe('failed');
    expect(step(report, `put-back:${PRIMARY_ENI}`).detail).toMatch(/NOT isolated: the restore record was not written/);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });

  it('the isolation move fails: the ENI is put back on the groups the read saw', async () => {
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) => ((input.Groups as string[])[0] === ISOLATION_SG_A ? awsError('InternalError', 'x', 500) : undefined));
    const report = await run();
    expect(step(report, `isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'InternalError' } });
    expect(step(report, `put-back:${PRIMARY_ENI}`).status).toBe('done');
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });

  it('the remembered isolation group was altered (an ingress rule): nothing moves to it, the instance is put back at once, a fresh group is used', async () => {
    const altered = responderGroup(ISOLATION_SG_A, VPC_A, 'isolation');
    h.world.responderGroups = [responderGroup(UNTRACK_SG_A, VPC_A, 'untrack'), { ...altered, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }];
    const report = await run();
    const moves = groupMoves();
    expect(moves.some((m) => JSON.stringify(m.input.Groups) === JSON.stringify([ISOLATION_SG_A]))).toBe(false);
    // Put back at once by the instance's id, before the normal path moves it again.
    expect(moves.slice(0, 2)).toEqual([
      { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } },
      { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: ORIGINAL_GROUPS } },
    ]);
    expect(step(report, `early-untrack:${INSTANCE_ID}`).detail).toMatch(/put back at once on sg-0web000000000001, sg-0ssh000000000001/);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([CREATED_ISOLATION_SG]);
    // Forgotten: the next response reads first.
    expect(recallGroups(KEY)).toBeUndefined();
  });

  it('the remembered untrack group was deleted: EC2 refuses the move, the normal path runs and the entry is forgotten', async () => {
    h.world.failures.set('ModifyInstanceAttribute', (input) => ('Groups' in input ? awsError('InvalidGroup.NotFound') : undefined));
    h.world.responderGroups = [responderGroup(ISOLATION_SG_A, VPC_A, 'isolation')];
    const report = await run();
    expect(report.steps.some((s) => s.id.startsWith('early-untrack:'))).toBe(false);
    expect(step(report, `isolate:${PRIMARY_ENI}`).status).toBe('done');
    expect(step(report, `untrack:${PRIMARY_ENI}`).status).toBe('done');
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
  });

  it('a forged single-ENI finding about an instance with two ENIs: the instance-level move is refused, both ENIs are isolated by the normal path', async () => {
    h.world.instance = defaultInstance();
    const report = await run();
    expect(report.steps.some((s) => s.id.startsWith('early-untrack:'))).toBe(false);
    expect(groupMoves()[0]).toEqual({ command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } });
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/early move of i-0a1b2c3d4e5f60718 .* was refused \(InvalidInstanceID\)/)]));
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
      expect(step(report, `untrack:${eni}`).status).toBe('done');
      expect(step(report, `isolate:${eni}`).status).toBe('done');
      expect(h.world.movedTo.get(eni)).toEqual([ISOLATION_SG_A]);
    }
  });

  it('the same instance again from this container: read first (an isolated instance never passes through the allow-all group unread)', async () => {
    await run();
    h.world.log.length = 0;
    await run();
    expect(ec2Log().some((c) => c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input)).toBe(false);
  });

  it('a later occurrence of the finding (GuardDuty’s count 2): read first, the instance may be isolated already', async () => {
    const finding = containFinding();
    await run({ finding: { ...finding, service: { ...finding.service, count: 2 } } });
    expect(ec2Log().some((c) => c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input)).toBe(false);
  });

  it('never without the Lambda’s opt-in, nor in a dry-run', async () => {
    const finding = containFinding();
    guardDuty.holds(finding);
    await respond(finding, { config: enforceConfig(), clients: h.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW });
    await respond(finding, { config: enforceConfig(), clients: h.clients, dryRun: true, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, earlyMove: true });
    expect(ec2Log().some((c) => c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input)).toBe(false);
  });
});

describe('a cache miss', () => {
  it('nothing remembered: the normal path (read, then move by ENI id), and the verified groups are remembered for the next response', async () => {
    const report = await run();
    expect(ec2Log().some((c) => c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input)).toBe(false);
    expect(step(report, `untrack:${PRIMARY_ENI}`).status).toBe('done');
    expect(recallGroups(KEY)).toEqual({ untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
  });
});

describe('several ENIs: every ENI moved by the id the read returned, beside the ledger and the restore record', () => {
  beforeEach(() => {
    h.world.instance = defaultInstance();
  });

  it('each ENI to the untrack group once the read is in, then to the isolation group; nothing put back', async () => {
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(groupMoves()).toEqual([
      { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] } },
      { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] } },
      { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] } },
      { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] } },
    ]);
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) expect(step(report, `put-back:${eni}`).status).toBe('skipped');
  });

  it('the restore record cannot be written: every ENI is put back on its own groups', async () => {
    const failing = { tableName: 'ledger-table', record: () => Promise.reject(awsError('InternalServerError', 'x', 500)) } as unknown as RestoreLedger;
    const report = await run({ restoreLedger: failing });
    expect(step(report, `put-back:${PRIMARY_ENI}`).detail).toMatch(/^NOT isolated: the restore record was not written/);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
    expect(h.world.movedTo.get(SECONDARY_ENI)).toEqual(['sg-0db0000000000001']);
  });

  it('GuardDuty does not hold the finding: its answer comes with the read, and nothing moves at all', async () => {
    const report = await run({ held: false });
    expect(report.blockedBy.length).toBeGreaterThan(0);
    expect(groupMoves()).toEqual([]);
  });
});
