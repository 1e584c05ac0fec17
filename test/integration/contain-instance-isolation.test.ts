import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../../bench/latency-proxy';
import { createAwsClients } from '../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../lambda/aws/every-client';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import { severityOf } from '../../lambda/notify/severity';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { shouldFailInvocation } from '../../lambda/runtime/retry-policy';
import { emulatorClientOptions } from '../../emulator/clients';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, recordedOriginalGroups, responderGroups, tagsOf } from './support/ec2-state';
import { instanceFinding } from './support/findings';
import { readInbox } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * Isolation never leaves an instance more open than it found it, against the
 * emulator, with the benchmark's proxy (bench/latency-proxy.ts) in front of
 * it to fail chosen calls the way EC2 fails them (HTTP 500 InternalError),
 * and clients that retry like the Lambda's (3 attempts here). In order, on
 * one seeded account:
 *   1. groups someone else tagged as the responder's (a production group,
 *      an "isolation" group with an ingress rule, an empty "isolation"
 *      group under a name the responder does not give, to which its maker
 *      could add a rule later) are left as they are and not used; fresh
 *      groups are created (instance B);
 *   2. the move of instance A to the isolation group fails after the SDK's
 *      retries: every ENI goes back to its own groups;
 *   3. that move and the return both fail: the ENIs are left on the
 *      allow-all group, the subject says so naming them, the invocation
 *      fails; its retry, with the fault gone, isolates them;
 *   4. a finding of another type about the isolated instance moves nothing;
 *   5. `ir release` puts every ENI of A back on its own groups, although
 *      before 2 someone on the instance had planted a record of "original"
 *      groups (2 overwrites it, and 3's retry keeps what 2 wrote).
 * Every assertion reads the state back from the emulator.
 * Not visible here: moto enforces no rule and tracks no connection.
 */

let account: EmulatedAccount;
let proxy: LatencyProxy;
let seededGroupsOfA: Record<string, string[]>;

const ATTEMPTS = 3;
const GROUP_PARAM = /^SecurityGroupId\.\d+$/;

/** The groups a ModifyNetworkInterfaceAttribute request sends, in order. */
function groupsSent(request: ProxiedRequest): string[] {
  return Object.entries(request.params)
    .filter(([key]) => GROUP_PARAM.test(key))
    .sort(([a], [b]) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map(([, value]) => value);
}

const isMove = (request: ProxiedRequest) => request.operation === 'ModifyNetworkInterfaceAttribute';

/** Runs through the proxy with SDK retries, then reads the notification it sent. */
async function respondThroughProxy(finding: Parameters<typeof runPlaybook>[1]): Promise<{ report: Report; subject: string; message: string }> {
  const clients = createAwsClients({ ...emulatorClientOptions(proxy.endpoint), maxAttempts: ATTEMPTS }, EVERY_CLIENT);
  const report = await runPlaybook({ ...account, clients }, finding);
  const inbox = (await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl)).filter((n) => n.message.includes(finding.id));
  expect(inbox).toHaveLength(1);
  return { report, ...inbox[0]! };
}

async function group(groupId: string): Promise<SecurityGroup> {
  const { SecurityGroups = [] } = await account.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return SecurityGroups[0]!;
}

/** A group's rules as they would be compared: protocol, ports and every peer. */
function rulesOf(g: SecurityGroup): { ingress: string[]; egress: string[] } {
  const flat = (permissions: SecurityGroup['IpPermissions']) =>
    (permissions ?? [])
      .flatMap((p) => [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)].map((peer) => `${p.IpProtocol} ${p.FromPort ?? ''}-${p.ToPort ?? ''} ${peer}`))
      .sort();
  return { ingress: flat(g.IpPermissions), egress: flat(g.IpPermissionsEgress) };
}

async function groupsOfA(): Promise<Record<string, string[]>> {
  return groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId));
}

beforeAll(async () => {
  account = await freshSeededAccount();
  proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: 0 });
  seededGroupsOfA = Object.fromEntries(account.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()]));
});

afterAll(async () => {
  await proxy.close();
});

describe('1. security groups someone else tagged as the responder\'s', () => {
  const responderTags = (purpose: string) => [
    { Key: 'ir:managed-by', Value: 'guardduty-ir' },
    { Key: 'ir:purpose', Value: purpose },
  ];
  let production: string;
  let productionRulesBefore: { ingress: string[]; egress: string[] };
  let rogueIsolation: string;
  let emptyLookalike: string;
  let report: Report;
  let message: string;

  beforeAll(async () => {
    const { ec2 } = account.clients;
    // The seeded web tier (HTTPS from anywhere), instance B's only group, tagged as the responder's untrack group.
    production = account.seed.network.securityGroups.web;
    await ec2.send(new CreateTagsCommand({ Resources: [production], Tags: responderTags('untrack') }));
    productionRulesBefore = rulesOf(await group(production));
    // An "isolation" group that lets SSH in, egress stripped: only its ingress rule is wrong.
    const created = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: account.seed.network.vpcId,
        GroupName: 'guardduty-ir-isolation',
        Description: 'GuardDuty IR: no rules; isolates an instance',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'guardduty-ir-isolation' }, ...responderTags('isolation')] }],
      }),
    );
    rogueIsolation = created.GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: rogueIsolation, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    // An empty group with the responder's tags and description: no rule yet, but not a name the responder gives.
    const lookalike = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: account.seed.network.vpcId,
        GroupName: 'c2-hold',
        Description: 'GuardDuty IR: no rules; isolates an instance',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'c2-hold' }, ...responderTags('isolation')] }],
      }),
    );
    emptyLookalike = lookalike.GroupId!;
    const egress = (await group(emptyLookalike)).IpPermissionsEgress ?? [];
    if (egress.length > 0) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: emptyLookalike, IpPermissions: egress }));
    expect(rulesOf(await group(emptyLookalike))).toEqual({ ingress: [], egress: [] });
    proxy.clear();
    ({ report, message } = await respondThroughProxy(instanceFinding(account.seed, account.seed.instanceB)));
  });

  it('completes without a failed step', () => {
    expect(failedSteps(report)).toEqual([]);
  });

  it('never changes a rule of either group, nor moves an ENI onto them, nor tags them', async () => {
    expect(rulesOf(await group(production))).toEqual(productionRulesBefore);
    expect(productionRulesBefore.ingress).toEqual(['tcp 443-443 0.0.0.0/0']);
    expect(rulesOf(await group(rogueIsolation))).toEqual({ ingress: ['tcp 22-22 0.0.0.0/0'], egress: ['-1 - 0.0.0.0/0'] });
    const names = (c: (typeof proxy.calls)[number], id: string) => c.params.GroupId === id || c.params['ResourceId.1'] === id || groupsSent(c).includes(id);
    const touching = proxy.calls.filter((c) => !c.operation.startsWith('Describe') && (names(c, production) || names(c, rogueIsolation) || names(c, emptyLookalike)));
    expect(touching.map((c) => c.operation)).toEqual([]);
    // The only call besides the reads that names the production group: the record of instance B's own groups.
    expect(proxy.calls.filter((c) => !c.operation.startsWith('Describe') && Object.values(c.params).includes(production)).map((c) => c.operation)).toEqual(['CreateTags']);
  });

  it('creates fresh groups, exactly as the responder makes them, and isolates instance B on the fresh isolation group', async () => {
    const { vpcId } = account.seed.network;
    const untrack = (await responderGroups(account.clients.ec2, vpcId, 'untrack')).filter((g) => g.GroupId !== production);
    const isolation = (await responderGroups(account.clients.ec2, vpcId, 'isolation')).filter((g) => g.GroupId !== rogueIsolation && g.GroupId !== emptyLookalike);
    expect(untrack).toHaveLength(1);
    expect(isolation).toHaveLength(1);
    expect(untrack[0]!.GroupName).toMatch(/^guardduty-ir-untrack-[0-9a-f]{8}$/);
    expect(isolation[0]!.GroupName).toMatch(/^guardduty-ir-isolation-[0-9a-f]{8}$/);
    expect(tagsOf(untrack[0]!)).toEqual({ Name: untrack[0]!.GroupName, 'ir:managed-by': 'guardduty-ir', 'ir:purpose': 'untrack' });
    expect(rulesOf(untrack[0]!)).toEqual({ ingress: ['-1 - 0.0.0.0/0', '-1 - ::/0'], egress: ['-1 - 0.0.0.0/0', '-1 - ::/0'] });
    expect(rulesOf(isolation[0]!)).toEqual({ ingress: [], egress: [] });
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId);
    const [eni] = account.seed.instanceB.networkInterfaces;
    expect(groupsByEni(instance)).toEqual({ [eni!.networkInterfaceId]: [isolation[0]!.GroupId] });
    // The production group someone tagged is still the ENI's true original group.
    expect(recordedOriginalGroups(instance)).toEqual({ [eni!.networkInterfaceId]: [production] });
  });

  it('says in the report and the notification which groups it rejected and why', () => {
    expect(report.warnings).toContainEqual(expect.stringContaining(`Security group ${production} in ${account.seed.network.vpcId} carries the responder's tags (ir:purpose=untrack) but is not what the responder creates`));
    expect(report.warnings).toContainEqual(expect.stringContaining(`Security group ${rogueIsolation} in ${account.seed.network.vpcId} carries the responder's tags (ir:purpose=isolation) but is not what the responder creates: it has ingress rules (tcp 22-22 ipv4:0.0.0.0/0)`));
    expect(message).toContain(production);
    expect(report.warnings).toContainEqual(
      expect.stringContaining(`Security group ${emptyLookalike} in ${account.seed.network.vpcId} carries the responder's tags (ir:purpose=isolation) but is not what the responder creates: its name is not one the responder gives. It was not used`),
    );
    expect(message).toContain(rogueIsolation);
  });
});

describe('2-4. instance A: a failed isolation move, a failed return, the retry, and a second incident', () => {
  let untrackId: string;
  let isolationId: string;
  const finding = () => instanceFinding(account.seed, account.seed.instanceA, { id: 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0' });

  beforeAll(async () => {
    const { vpcId } = account.seed.network;
    untrackId = (await responderGroups(account.clients.ec2, vpcId, 'untrack')).find((g) => /^guardduty-ir-untrack-/.test(g.GroupName ?? ''))!.GroupId!;
    isolationId = (await responderGroups(account.clients.ec2, vpcId, 'isolation')).find((g) => /^guardduty-ir-isolation-/.test(g.GroupName ?? ''))!.GroupId!;
  });

  afterEach(() => proxy.injectFaults(null));

  it('2. the isolation move fails after the SDK\'s retries: every ENI goes back to exactly its own groups', async () => {
    const enis = Object.keys(seededGroupsOfA);
    // Anyone who can tag the instance (its own role) plants a record naming a group of their choice: the web tier, open to the world.
    const planted = account.seed.network.securityGroups.web;
    await account.clients.ec2.send(new CreateTagsCommand({ Resources: [account.seed.instanceA.instanceId], Tags: [{ Key: `ir:original-sgs:${enis[0]!}`, Value: planted }] }));
    proxy.injectFaults((r) => isMove(r) && groupsSent(r)[0] === isolationId);
    proxy.clear();
    const { report, subject } = await respondThroughProxy(finding());
    // The record is overwritten with the groups the ENI is on, and the report names the value discarded.
    expect(recordedOriginalGroups(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId))).toEqual(seededGroupsOfA);
    expect(report.warnings).toContainEqual(expect.stringContaining(`The instance's record ir:original-sgs:${enis[0]!} said "${planted}", but ${enis[0]!} is on its own groups`));
    // Each ENI's isolation move was tried ATTEMPTS times (the SDK's retries), then it was returned.
    for (const eni of enis) {
      const toIsolation = proxy.calls.filter((c) => isMove(c) && c.params.NetworkInterfaceId === eni && groupsSent(c)[0] === isolationId);
      expect(toIsolation.map((c) => c.status)).toEqual(Array.from({ length: ATTEMPTS }, () => 500));
      expect(report.steps.filter((s) => s.target === eni && s.action === 'ec2:ModifyNetworkInterfaceAttribute').map((s) => [s.id.split(':')[0], s.status, s.error?.code])).toEqual([
        ['untrack', 'done', undefined],
        ['isolate', 'failed', 'InternalError'],
        ['restore', 'done', undefined],
      ]);
    }
    expect(await groupsOfA()).toEqual(seededGroupsOfA);
    expect(subject.startsWith(`[GuardDuty IR PARTIAL] contain-instance FAILED isolate: ${severityOf(finding().severity).text} ${finding().resource!.instanceDetails!.instanceId!}`)).toBe(true);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('3. the isolation move and the return both fail: the subject names the ENIs left open, the invocation fails, and its retry isolates them', async () => {
    proxy.injectFaults((r) => isMove(r) && groupsSent(r)[0] !== untrackId);
    const { report, subject, message } = await respondThroughProxy(finding());
    const enis = Object.keys(seededGroupsOfA);
    // The emulator's state: both ENIs are on the allow-all group.
    expect(await groupsOfA()).toEqual(Object.fromEntries(enis.map((eni) => [eni, [untrackId]])));
    expect(report.steps.filter((s) => s.id.startsWith('restore:')).map((s) => [s.target, s.status, s.error?.code, s.exposed])).toEqual(enis.map((eni) => [eni, 'failed', 'InternalError', eni]));
    const named = [...enis].sort();
    // Every ENI named whole, the severity after them ("left open" goes first when the subject is short of room).
    expect(subject).toMatch(new RegExp(`^\\[GuardDuty IR MORE EXPOSED THAN BEFORE\\] ${named.join(' ')}( left open)?: ${severityOf(finding().severity).text}`));
    expect(message.split('\n')[0]).toContain(`MORE EXPOSED THAN BEFORE: ${named.join(', ')}`);
    expect(shouldFailInvocation(report)).toMatchObject({ retry: true, reason: expect.stringContaining('more exposed than before') });

    // Lambda's retry of the same finding, the fault gone: on to isolation, with the first record of the groups kept.
    proxy.injectFaults(null);
    const retry = await respondThroughProxy(finding());
    expect(failedSteps(retry.report)).toEqual([]);
    expect(await groupsOfA()).toEqual(Object.fromEntries(enis.map((eni) => [eni, [isolationId]])));
    expect(recordedOriginalGroups(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId))).toEqual(seededGroupsOfA);
    expect(shouldFailInvocation(retry.report).retry).toBe(false);
  });

  it('4. a finding of another type about the isolated instance (another incident) moves no ENI and keeps the record', async () => {
    proxy.clear();
    const other = instanceFinding(account.seed, account.seed.instanceA, { type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' });
    expect(incidentIdOf(other)).not.toBe(incidentIdOf(finding()));
    const { report } = await respondThroughProxy(other);
    expect(failedSteps(report)).toEqual([]);
    expect(proxy.calls.filter(isMove)).toEqual([]);
    expect(report.steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute').every((s) => s.status === 'skipped')).toBe(true);
    expect(await groupsOfA()).toEqual(Object.fromEntries(Object.keys(seededGroupsOfA).map((eni) => [eni, [isolationId]])));
    expect(recordedOriginalGroups(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId))).toEqual(seededGroupsOfA);
  });

  it('5. ir release puts every ENI back on exactly the groups it had before the response, not on the planted record', async () => {
    const released = await releaseInstance(account.seed.instanceA.instanceId, { clients: account.clients, region: account.seed.region, dryRun: false });
    expect(released.steps.filter((s) => s.status === 'failed')).toEqual([]);
    expect(await groupsOfA()).toEqual(seededGroupsOfA);
  });
});
