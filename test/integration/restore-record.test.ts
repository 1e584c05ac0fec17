import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTagsCommand, DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { instanceRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import type { ReleaseReport } from '../../lambda/release/report';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, tagsOf, terminationProtection } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';
import { failedSteps } from './support/run-playbook';

/*
 * The restore record through the real Lambda handler, against the
 * emulator's DynamoDB: contain-instance writes it before its first change;
 * a second finding about the contained instance keeps the originals;
 * every ir: tag is then deleted from the instance (as an attacker on it, or
 * a response that never got to tag it, would leave it), and `ir release`
 * restores everything from the ledger alone, records the release and
 * tells the team.
 */

const TABLE = LEDGER_TABLE;
const DNS_REBIND = 'UnauthorizedAccess:EC2/MetadataDNSRebind';

let account: EmulatedAccount;
let dynamodb: DynamoDBClient;
let bench: HandlerBench;
let contained: Report;
let released: ReleaseReport;
let recordAfterFirst: Record<string, unknown> | undefined;
let recordAfterSecond: Record<string, unknown> | undefined;
const invoke = (event: unknown) => bench.invoke(event);
const key = () => instanceRestoreKey(account.seed.accountId, account.seed.region, account.seed.instanceA.instanceId);
const item = () => bench.item(key());
const seededGroups = () => Object.fromEntries(account.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()]));

async function associatedProfiles(instanceId: string): Promise<string[]> {
  const { IamInstanceProfileAssociations = [] } = await account.clients.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
  );
  return IamInstanceProfileAssociations.filter((a) => a.State === 'associated' || a.State === 'associating').map((a) => a.IamInstanceProfile?.Arn ?? '');
}

beforeAll(async () => {
  bench = await startHandlerBench();
  ({ account, dynamodb } = bench);
  const { instanceA } = account.seed;
  contained = await invoke(instanceFindingEvent(account.seed, instanceA, { type: DNS_REBIND }));
  recordAfterFirst = await item();
  // Another finding about the same, now contained, instance: its ENIs are on the isolation group, its profile gone, it is out of its groups.
  await invoke(instanceFindingEvent(account.seed, instanceA));
  recordAfterSecond = await item();
  const instance = await describeInstance(account.clients.ec2, instanceA.instanceId);
  const irKeys = Object.keys(tagsOf(instance)).filter((k) => k.startsWith('ir:'));
  await account.clients.ec2.send(new DeleteTagsCommand({ Resources: [instanceA.instanceId], Tags: irKeys.map((Key) => ({ Key })) }));
  await bench.inbox();
  released = await releaseInstance(instanceA.instanceId, {
    clients: account.clients,
    region: account.seed.region,
    dryRun: false,
    ledger: new RestoreLedger(dynamodb, TABLE),
    notify: { sns: account.clients.sns, topicArn: account.seed.notifications.topicArn },
  });
});

afterAll(() => bench?.close());

describe('the restore record contain-instance writes', () => {
  it('holds the originals: each ENI\'s groups, the profile, the Auto Scaling and target groups, termination protection', () => {
    expect(failedSteps(contained)).toEqual([]);
    const { instanceA, fleet } = account.seed;
    const record = recordAfterFirst as Record<string, { L?: { S?: string; N?: string }[]; S?: string; BOOL?: boolean }>;
    for (const eni of instanceA.networkInterfaces) {
      expect((record[`sgs:${eni.networkInterfaceId}`]?.L ?? []).map((g) => g.S).sort()).toEqual([...eni.groupIds].sort());
    }
    expect(record.instanceProfileArn?.S).toBe(instanceA.instanceProfileArn);
    expect(record.autoScalingGroup?.S).toBe(fleet.autoScalingGroupName);
    expect((record[`tg:${fleet.targetGroupArn}`]?.L ?? []).map((p) => p.N)).toEqual(['443']);
    expect(record.terminationProtection?.BOOL).toBe(false);
    expect(record.closedAt).toBeUndefined();
  });

  it('is not overwritten by a second finding about the contained instance: the first record of the originals wins', () => {
    const originals = (r: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(r ?? {}).filter(([name]) => /^(sgs:|volume:|tg:|instanceProfileArn$|autoScalingGroup$|terminationProtection$)/.test(name)));
    expect(originals(recordAfterSecond)).toEqual(originals(recordAfterFirst));
  });
});

describe('ir release from the ledger, every ir: tag deleted', () => {
  it('restores the groups of every ENI, the profile, the Auto Scaling group, the target group and termination protection', async () => {
    const { instanceA, fleet } = account.seed;
    expect(released).toMatchObject({ refused: null, recordSource: 'ledger' });
    expect(released.steps.filter((s) => s.status !== 'done').map((s) => [s.id, s.status, s.error?.code ?? s.reason])).toEqual([]);
    const instance = await describeInstance(account.clients.ec2, instanceA.instanceId);
    expect(groupsByEni(instance)).toEqual(seededGroups());
    expect(await associatedProfiles(instanceA.instanceId)).toEqual([instanceA.instanceProfileArn]);
    expect(await terminationProtection(account.clients.ec2, instanceA.instanceId)).toBe(false);
    const { AutoScalingInstances = [] } = await account.clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceA.instanceId] }));
    expect(AutoScalingInstances.map((i) => i.AutoScalingGroupName)).toEqual([fleet.autoScalingGroupName]);
    const { TargetHealthDescriptions = [] } = await account.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: fleet.targetGroupArn }));
    expect(TargetHealthDescriptions.filter((d) => d.TargetHealth?.State !== 'draining').map((d) => [d.Target?.Id, d.Target?.Port])).toContainEqual([instanceA.instanceId, 443]);
  });

  it('records the release in the ledger and closes the record, so a later finding opens a new incident', async () => {
    const record = await item();
    expect(record?.closedAt?.S).toEqual(expect.any(String));
    expect(record?.releasedAt?.S).toBe(record?.closedAt?.S);
    expect(record?.released?.M?.by?.S).toMatch(/^arn:aws:(iam|sts)::/);
    expect(record?.released?.M?.closed?.BOOL).toBe(true);
    expect(released.ledger).toMatchObject({ status: 'recorded', closed: true, key: key() });
  });

  it('tells the team on the stack\'s topic', async () => {
    const inbox = await bench.inbox();
    expect(inbox.map((n) => n.subject)).toEqual([`[GuardDuty IR] Released: instance ${account.seed.instanceA.instanceId} (${account.seed.region})`]);
    expect(inbox[0]!.message).toContain(`  Restored from: the ledger's restore record (restore#${account.seed.accountId}#${account.seed.region}#${account.seed.instanceA.instanceId})`);
  });

  it('a second release is refused: the record is closed', async () => {
    const again = await releaseInstance(account.seed.instanceA.instanceId, { clients: account.clients, region: account.seed.region, dryRun: false, ledger: new RestoreLedger(dynamodb, TABLE) });
    expect(again.refused).toMatch(/was released at .* nothing to release, nothing was changed$/);
  });
});
