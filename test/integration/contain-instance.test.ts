import { DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import {
  describeInstance,
  groupsByEni,
  recordedOriginalGroups,
  responderGroups,
  shutdownBehavior,
  snapshotsOfVolumes,
  tagsOf,
  terminationProtection,
} from './support/ec2-state';
import { instanceFinding } from './support/findings';
import { readInbox, type Notification } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * contain-instance against the emulator: a crypto-mining finding on
 * instance A (two ENIs, three volumes, in an Auto Scaling group and a target
 * group), then a second incident on instance B in the same VPC. Every
 * assertion reads the emulator's state back; nothing is mocked.
 *
 * Not visible in the emulator: moto has no network, so neither connection
 * tracking nor security group rules are enforced. That the untrack swap
 * really cut established flows cannot be seen here; the end state of every
 * ENI and the rules of both groups can. Nor has moto a GuardDuty findings
 * API (no GetFindings): the finding cannot be confirmed with GuardDuty
 * here, so this run switches the confirmation off explicitly
 * (emulator/runtime-config.ts) and the test checks the report and the
 * notification say so; test/unit/confirm/ proves the confirmation.
 */

let account: EmulatedAccount;
let finding: Finding;
let report: Report;
let inbox: Notification[];

beforeAll(async () => {
  account = await freshSeededAccount();
  finding = instanceFinding(account.seed, account.seed.instanceA);
  report = await runPlaybook(account, finding);
  inbox = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
});

describe('contain-instance on instance A', () => {
  it('routes to contain-instance, passes every guard and completes without a failed read or step', () => {
    expect(report.playbook).toBe('contain-instance');
    expect(report.blockedBy).toEqual([]);
    expect(failedSteps(report)).toEqual([]);
    // Including the read of who else uses the instance profile, which the emulator answers too.
    expect(report.reads.find((r) => r.id === `read:find-instances-sharing-profile:${account.seed.instanceA.instanceProfileArn}`)?.status).toBe('done');
    expect(report.steps.filter((s) => s.mutating && s.status === 'done').length).toBeGreaterThan(0);
  });

  it('says, in the report and the notification, that the finding was NOT confirmed with GuardDuty (the emulator has no findings API)', () => {
    const confirmation = report.guards.find((g) => g.id === 'finding-confirmation');
    expect(confirmation).toEqual({ id: 'finding-confirmation', blocks: false, reason: expect.stringMatching(/^NOT CONFIRMED with GuardDuty: confirmFindings is false/) });
    expect(inbox[0]!.message).toContain(`GuardDuty confirmation: ${confirmation!.reason}`);
  });

  it('leaves only the isolation security group on every ENI', async () => {
    const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    expect(isolation?.GroupId).toBeDefined();
    // Read per ENI through DescribeInstances: moto shows an ENI's groups as the union of its own and the
    // instance-level groups. The seed puts groups on the ENIs only, so this list is the ENI's own.
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    const expected = Object.fromEntries(account.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [isolation!.GroupId]]));
    expect(groupsByEni(instance)).toEqual(expected);
  });

  it("records every ENI's original groups on the instance (ir:original-sgs:<eni-id>)", async () => {
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    const seeded = Object.fromEntries(account.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds]]));
    expect(Object.keys(seeded)).toHaveLength(2);
    expect(recordedOriginalGroups(instance)).toEqual(seeded);
  });

  it('creates one untrack and one isolation group in the VPC: untrack allows everything, isolation nothing', async () => {
    const { vpcId } = account.seed.network;
    const untrack = await responderGroups(account.clients.ec2, vpcId, 'untrack');
    const isolation = await responderGroups(account.clients.ec2, vpcId, 'isolation');
    expect(untrack).toHaveLength(1);
    expect(isolation).toHaveLength(1);
    // All traffic from and to anywhere, IPv4 and IPv6: flows become untracked, so the swap to isolation cuts them.
    const allIpv4 = expect.objectContaining({ IpProtocol: '-1', IpRanges: expect.arrayContaining([expect.objectContaining({ CidrIp: '0.0.0.0/0' })]) });
    const allIpv6 = expect.objectContaining({ IpProtocol: '-1', Ipv6Ranges: expect.arrayContaining([expect.objectContaining({ CidrIpv6: '::/0' })]) });
    expect(untrack[0]!.IpPermissions).toEqual(expect.arrayContaining([allIpv4, allIpv6]));
    expect(untrack[0]!.IpPermissionsEgress).toEqual(expect.arrayContaining([allIpv4, allIpv6]));
    expect(isolation[0]!.IpPermissions ?? []).toEqual([]);
    expect(isolation[0]!.IpPermissionsEgress ?? []).toEqual([]);
  });

  it('turns termination protection on, and makes a shutdown from inside stop the instance (seeded: terminate)', async () => {
    const { instanceId } = account.seed.instanceA;
    expect(await terminationProtection(account.clients.ec2, instanceId)).toBe(true);
    expect(await shutdownBehavior(account.clients.ec2, instanceId)).toBe('stop');
  });

  it('keeps every volume when the instance is terminated (DeleteOnTermination false)', async () => {
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    const mappings = instance.BlockDeviceMappings ?? [];
    expect(mappings.map((m) => m.Ebs?.VolumeId).sort()).toEqual([...account.seed.instanceA.volumeIds].sort());
    expect(mappings.map((m) => [m.Ebs?.VolumeId, m.Ebs?.DeleteOnTermination])).toEqual(mappings.map((m) => [m.Ebs?.VolumeId, false]));
  });

  it('snapshots all three volumes, tagged with the incident', async () => {
    const snapshots = await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds);
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual([...account.seed.instanceA.volumeIds].sort());
    for (const snapshot of snapshots) {
      expect(tagsOf(snapshot)).toEqual(
        expect.objectContaining({
          'ir:finding-id': finding.id,
          'ir:finding-type': finding.type,
          'ir:incident-id': incidentIdOf(finding),
          'ir:source-instance': account.seed.instanceA.instanceId,
        }),
      );
    }
    // Not visible here: moto ignores CreateSnapshots' CopyTagsFromSource, so whether the volumes' own
    // tags were copied cannot be checked against the emulator.
  });

  it('takes the instance out of its Auto Scaling group without lowering the desired capacity', async () => {
    const { instanceId } = account.seed.instanceA;
    const { AutoScalingInstances = [] } = await account.clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
    expect(AutoScalingInstances).toEqual([]);
    const { AutoScalingGroups = [] } = await account.clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [account.seed.fleet.autoScalingGroupName] }),
    );
    expect(AutoScalingGroups[0]?.DesiredCapacity).toBe(account.seed.fleet.desiredCapacity);
    expect((AutoScalingGroups[0]?.Instances ?? []).map((i) => i.InstanceId)).not.toContain(instanceId);
  });

  it('deregisters the instance from its target group', async () => {
    const { TargetHealthDescriptions = [] } = await account.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: account.seed.fleet.targetGroupArn }),
    );
    // "draining" is how AWS shows a target during its deregistration delay: it counts as gone.
    const serving = TargetHealthDescriptions.filter((d) => d.TargetHealth?.State !== 'draining').map((d) => d.Target?.Id);
    expect(serving).not.toContain(account.seed.instanceA.instanceId);
  });

  it('tells the security team what it did, step by step, naming the instance', () => {
    const mine = inbox.filter((n) => n.message.includes(finding.id));
    expect(mine).toHaveLength(1);
    const { subject, message } = mine[0]!;
    // The subject names the instance (the finding type gives way to it when space runs out; the body has it).
    expect(subject).toMatch(new RegExp(`^\\[GuardDuty IR DONE\\] contain-instance: HIGH 8\\.0 ${account.seed.instanceA.instanceId} `));
    expect(message).toContain(`  Type: ${finding.type}, severity HIGH 8.0`);
    expect(message).toContain(account.seed.instanceA.instanceId);
    // The evidence steps run with the notification and after it: the report has them, the message cannot.
    const acted = report.steps.filter((s) => s.id !== 'notify' && !s.id.startsWith('evidence'));
    expect(acted.length).toBeGreaterThan(0);
    for (const step of acted) expect(message).toContain(step.title);
    expect(message).not.toContain('NO CHANGES WERE MADE');
    expect(message.split('\n').filter((line) => /^\s*FAILED/.test(line))).toEqual([]);
  });
});

describe('a second incident in the same VPC (instance B)', () => {
  let reportB: Report;

  beforeAll(async () => {
    reportB = await runPlaybook(account, instanceFinding(account.seed, account.seed.instanceB));
  });

  it('completes without a failed read or step', () => {
    expect(reportB.blockedBy).toEqual([]);
    expect(failedSteps(reportB)).toEqual([]);
  });

  it('reuses the VPC\'s untrack and isolation groups instead of creating new ones', async () => {
    const { vpcId } = account.seed.network;
    const untrack = await responderGroups(account.clients.ec2, vpcId, 'untrack');
    const isolation = await responderGroups(account.clients.ec2, vpcId, 'isolation');
    expect(untrack).toHaveLength(1);
    expect(isolation).toHaveLength(1);
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId);
    const [eni] = account.seed.instanceB.networkInterfaces;
    expect(groupsByEni(instance)).toEqual({ [eni!.networkInterfaceId]: [isolation[0]!.GroupId] });
    expect(recordedOriginalGroups(instance)).toEqual({ [eni!.networkInterfaceId]: [...eni!.groupIds] });
  });

  it('leaves instance A as the first incident left it', async () => {
    const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    expect(Object.values(groupsByEni(instance))).toEqual([[isolation!.GroupId], [isolation!.GroupId]]);
    expect(await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds)).toHaveLength(3);
  });
});
