import { AttachInstancesCommand, DescribeAutoScalingInstancesCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  AssociateIamInstanceProfileCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeSecurityGroupsCommand,
  RunInstancesCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteRolePolicyCommand } from '@aws-sdk/client-iam';
import { REVOKE_POLICY_NAME } from '../../../lambda/iam/revoke-sessions';
import { startLatencyProxy, type FaultKind, type LatencyProxy, type ProxiedRequest } from '../../../bench/latency-proxy';
import { EMULATOR_REGION, emulatorClientOptions } from '../../../emulator/clients';
import { EMULATOR_CONFIG_OVERRIDES } from '../../../emulator/runtime-config';
import * as clientSeam from '../../../lambda/aws/clients';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import type { Report } from '../../../lambda/plan/document';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';
import * as retryPolicy from '../../../lambda/runtime/retry-policy';
import { RetryableResponseError } from '../../../lambda/runtime/retry-policy';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import type { SeededInstance } from '../../../emulator/seed/instances';
import { handleAs } from '../../support/playbook-entries';
import { freshSeededAccount, type EmulatedAccount } from '../support/account';
import { describeInstance, groupsByEni, recordedOriginalGroups, responderGroups, shutdownBehavior, snapshotsOfVolumes, tagsOf, terminationProtection } from '../support/ec2-state';
import { instanceFindingEvent, userKeyFinding } from '../support/findings';
import { accessKeyStatuses, roleRevokePolicy, userRevokePolicy } from '../support/iam-state';
import { readInbox, type Notification } from '../support/inbox';
import { failedSteps } from '../support/run-playbook';

/*
 * The Lambda handler (lambda/runtime/handle.ts, through each playbook's own
 * entry point) against the emulator, with the fault-injecting proxy
 * (bench/latency-proxy.ts) between the handler's clients and moto: the
 * handler's clients reach AWS only through AWS_ENDPOINT_URL, which points at
 * the proxy. Every assertion reads moto directly, never through the proxy,
 * and the ledger is a DynamoDB table in moto.
 *
 * Each cell of a matrix gets its own victim (a fresh instance joined to the
 * seeded Auto Scaling group and target group, with the seeded instance
 * profile; or a fresh IAM user with a key), so one seeded account serves a
 * whole file and a cell costs a few calls to set up.
 *
 * Emulator gap: moto has no GuardDuty findings API, so the handler runs with
 * confirmFindings off (emulator/runtime-config.ts); the confirmation is a
 * read, not a mutating step, and is proven elsewhere (test/unit/confirm/).
 */

export const TABLE = 'incident-ledger';

/**
 * The SDK attempts of the handler's clients in these tests: 2, so a fault on
 * the first attempt only (a lost or late answer) is retried once by the SDK
 * and meets its own landed write, and throttling "past every retry" costs
 * one backoff rather than the four of the Lambda's 5 attempts.
 */
export const TEST_ATTEMPTS = 2;
/**
 * Late-answer cells: the client's request timeout, and how long the proxy
 * holds the answer (just past it), so a cell costs about one timeout.
 */
export const LATE_TIMEOUT_MS = 800;
export const LATE_HOLD_MS = LATE_TIMEOUT_MS + 400;

export interface Bench {
  readonly account: EmulatedAccount;
  readonly proxy: LatencyProxy;
  /** Straight to moto: the ledger as it is. */
  readonly dynamodb: DynamoDBClient;
  /** Cells started: each cell's handler gets clients of its own (see invoke). */
  cells: number;
  /** The request timeout the handler's clients are made with now (the late-answer cells shorten it). */
  requestTimeoutMs: number;
  /** The reports the handler finished with, in order (a failed invocation throws without its report). */
  readonly reports: Report[];
  /** How many requests the armed fault picked. */
  fired: number;
}

/** One seeded account, the ledger table, the proxy, and the handler's clients pointed at the proxy. */
export async function startBench(): Promise<Bench> {
  const account = await freshSeededAccount();
  const proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: 0 });
  const bench: Bench = { account, proxy, dynamodb: new DynamoDBClient(clientSeam.sdkClientConfig(emulatorClientOptions(account.endpoint))), cells: 0, requestTimeoutMs: clientSeam.DEFAULT_REQUEST_TIMEOUT_MS, reports: [], fired: 0 };
  await bench.dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Each cell attaches one instance; detaching without decrementing keeps the desired capacity.
  await account.clients.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: account.seed.fleet.autoScalingGroupName, MaxSize: 200 }));
  // The handler's clients: made through the one seam with the Lambda's settings, except the attempts and the timeout above.
  const original = clientSeam.createAwsClients;
  jest.spyOn(clientSeam, 'createAwsClients').mockImplementation((options, classes) =>
    original(options.endpoint === undefined ? { ...options, maxAttempts: TEST_ATTEMPTS, requestTimeoutMs: bench.requestTimeoutMs } : options, classes),
  );
  // The handler decides whether to fail the invocation from the finished report: keep it, as the error it throws does not carry it.
  const decide = retryPolicy.shouldFailInvocation;
  jest.spyOn(retryPolicy, 'shouldFailInvocation').mockImplementation((report) => {
    bench.reports.push(report);
    return decide(report);
  });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  return bench;
}

export async function stopBench(bench: Bench | undefined): Promise<void> {
  delete process.env.AWS_ENDPOINT_URL;
  jest.restoreAllMocks();
  await bench?.proxy.close();
}

function environment(bench: Bench, playbook: PlaybookName): LambdaEnvironment {
  const config: RuntimeConfig = {
    ...DEFAULT_RUNTIME_CONFIG,
    ...EMULATOR_CONFIG_OVERRIDES,
    mode: 'enforce',
    // Every cell contains one more instance; the brake is not what these tests are about.
    blastRadius: { maxContainmentsPerHour: 100 },
    // Every cell cuts the instance role too, so its two steps are faulted like the others.
    revokeInstanceCredentials: 'always',
    // The handler keeps its clients per container, keyed by this name (lambda/runtime/home-account.ts): a name per
    // cell is a cold container per cell, so each cell's clients get its own timeout and retry state. No cell is cross-account.
    memberRoleName: `IrFaultCell${bench.cells}`,
  };
  return {
    playbook,
    config,
    topicArn: bench.account.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: TABLE,
  };
}

export type Invocation = { readonly report: Report; readonly failed: false } | { readonly report: Report; readonly failed: true; readonly error: RetryableResponseError };

/** One invocation of the playbook's Lambda handler: its report, and whether the invocation failed (Lambda would retry it). */
export async function invoke(bench: Bench, event: unknown, playbook: PlaybookName): Promise<Invocation> {
  const context = { invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${bench.account.seed.accountId}:function:ir-${playbook}`, getRemainingTimeInMillis: () => 120_000 };
  bench.reports.length = 0;
  try {
    return { report: (await handleAs(event, context, environment(bench, playbook))) as Report, failed: false };
  } catch (error) {
    if (error instanceof RetryableResponseError && bench.reports.length === 1) return { report: bench.reports[0]!, failed: true, error };
    throw error;
  }
}

export interface Cell {
  readonly kind: FaultKind;
  /** The request the fault applies to. */
  readonly matches: (request: ProxiedRequest) => boolean;
}

/** Arms the cell's fault: a lost or late answer on the first matching request only (the SDK's retry meets the write), a refusal on every one. */
export async function arm(bench: Bench, cell: Cell): Promise<void> {
  // Whatever an earlier cell left in the inbox is not this cell's.
  await inbox(bench);
  bench.cells += 1;
  bench.fired = 0;
  bench.proxy.clearFaults();
  bench.proxy.clear();
  bench.requestTimeoutMs = cell.kind === 'late-answer' ? LATE_TIMEOUT_MS : clientSeam.DEFAULT_REQUEST_TIMEOUT_MS;
  const once = cell.kind === 'lost-answer' || cell.kind === 'late-answer';
  // The proxy asks a rule only while it has faults left, so each match is one fault (a late answer is recorded only once it is let go).
  const matches = (request: ProxiedRequest) => {
    const hit = cell.matches(request);
    if (hit) bench.fired += 1;
    return hit;
  };
  bench.proxy.addFault({ kind: cell.kind, matches, ...(once ? { times: 1 } : {}), ...(cell.kind === 'late-answer' ? { holdMs: LATE_HOLD_MS } : {}) });
}

/** The fault is gone (throttling over, the permission fixed); the next invocation is Lambda's retry, in a fresh container. */
export function disarm(bench: Bench): void {
  bench.cells += 1;
  bench.proxy.clearFaults();
  bench.requestTimeoutMs = clientSeam.DEFAULT_REQUEST_TIMEOUT_MS;
}


export function inbox(bench: Bench): Promise<Notification[]> {
  return readInbox(bench.account.sqs, bench.account.seed.notifications.inboxQueueUrl);
}

export async function ledgerItem(bench: Bench, incidentId: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await bench.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `incident#${incidentId}` } }, ConsistentRead: true }))).Item;
}

/** The ledger's record of each step: id → status. */
export function ledgerSteps(item: Record<string, AttributeValue> | undefined): Record<string, string> {
  return Object.fromEntries((item?.steps?.L ?? []).map((s) => [s.M?.id?.S ?? '', s.M?.status?.S ?? '']));
}

// ---- contain-instance victims ----

export interface Victim {
  readonly instance: SeededInstance;
  readonly event: ReturnType<typeof instanceFindingEvent>;
}

/**
 * A fresh instance like the seeded instance A, on one ENI: the web group, a
 * data volume, DeleteOnTermination on, shutdown terminates, the seeded
 * instance profile, in the seeded Auto Scaling group and target group. The
 * responder's groups of earlier cells lose their managed-by tag, so this cell
 * creates its own (and a count of one is this cell's).
 */
export async function freshVictim(bench: Bench): Promise<Victim> {
  const { ec2, autoScaling, elbv2 } = bench.account.clients;
  const { seed } = bench.account;
  const { vpcId } = seed.network;
  const earlier = [...(await responderGroups(ec2, vpcId, 'isolation')), ...(await responderGroups(ec2, vpcId, 'untrack'))].map((g) => g.GroupId!);
  if (earlier.length > 0) await ec2.send(new DeleteTagsCommand({ Resources: earlier, Tags: [{ Key: 'ir:managed-by' }, { Key: 'ir:purpose' }] }));
  // The instance role is the seeded one, shared by every cell: its revocation policy is this cell's to write.
  if ((await roleRevokePolicy(bench.account.clients.iam, seed.identities.instanceRole.roleName)) !== null) {
    await bench.account.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: seed.identities.instanceRole.roleName, PolicyName: REVOKE_POLICY_NAME }));
  }
  const web = seed.network.securityGroups.web;
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: seed.instanceA.imageId,
      InstanceType: 't3.large',
      MinCount: 1,
      MaxCount: 1,
      InstanceInitiatedShutdownBehavior: 'terminate',
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: seed.network.subnetIds[0], Groups: [web] }],
      BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `victim-${bench.cells}` }] }],
    }),
  );
  const instanceId = Instances![0]!.InstanceId!;
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: seed.identities.instanceProfile.arn } }));
  await autoScaling.send(new AttachInstancesCommand({ AutoScalingGroupName: seed.fleet.autoScalingGroupName, InstanceIds: [instanceId] }));
  await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: seed.fleet.targetGroupArn, Targets: [{ Id: instanceId, Port: 443 }] }));
  const described = await describeInstance(ec2, instanceId);
  const instance: SeededInstance = {
    instanceId,
    name: `victim-${bench.cells}`,
    availabilityZone: described.Placement!.AvailabilityZone!,
    imageId: described.ImageId!,
    networkInterfaces: (described.NetworkInterfaces ?? []).map((eni) => ({
      networkInterfaceId: eni.NetworkInterfaceId!,
      subnetId: eni.SubnetId!,
      deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
      privateIpAddress: eni.PrivateIpAddress ?? '',
      groupIds: (eni.Groups ?? []).map((g) => g.GroupId!).sort(),
    })),
    volumeIds: (described.BlockDeviceMappings ?? []).map((m) => m.Ebs!.VolumeId!),
    tags: tagsOf(described),
    instanceProfileArn: seed.identities.instanceProfile.arn,
  };
  return { instance, event: instanceFindingEvent(seed, instance) };
}

/** All protocols from and to anywhere, IPv4 and IPv6. */
function allowsAll(permissions: SecurityGroup['IpPermissions']): boolean {
  const all = (permissions ?? []).filter((p) => p.IpProtocol === '-1');
  return all.some((p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0')) && all.some((p) => (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === '::/0'));
}

/** What a finished containment leaves, read from moto. Each entry is one step's end state, so a failing cell names what is wrong. */
export async function containmentState(bench: Bench, victim: Victim): Promise<Record<string, unknown>> {
  const { ec2, autoScaling, elbv2, iam } = bench.account.clients;
  const { vpcId } = bench.account.seed.network;
  const { instanceId } = victim.instance;
  const instance = await describeInstance(ec2, instanceId);
  const isolation = await responderGroups(ec2, vpcId, 'isolation');
  const untrack = await responderGroups(ec2, vpcId, 'untrack');
  const { AutoScalingInstances = [] } = await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  const { TargetHealthDescriptions = [] } = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: bench.account.seed.fleet.targetGroupArn }));
  const { IamInstanceProfileAssociations = [] } = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const tags = tagsOf(instance);
  const role = await roleRevokePolicy(iam, bench.account.seed.identities.instanceRole.roleName);
  const closed = new Set(isolation.filter((g) => (g.IpPermissions ?? []).length === 0 && (g.IpPermissionsEgress ?? []).length === 0).map((g) => g.GroupId));
  return {
    'isolation and untrack groups created once': [isolation.length, untrack.length],
    'a fully open untrack group': untrack.some((g) => allowsAll(g.IpPermissions) && allowsAll(g.IpPermissionsEgress)),
    'every ENI on one closed isolation group only': Object.values(groupsByEni(instance)).map((groups) => groups.length === 1 && closed.has(groups[0]!)),
    'original groups recorded': recordedOriginalGroups(instance),
    'incident tagged': tags['ir:incident-id'] !== undefined,
    'termination protection on': await terminationProtection(ec2, instanceId),
    'shutdown stops': await shutdownBehavior(ec2, instanceId),
    'volumes kept on termination': (instance.BlockDeviceMappings ?? []).map((m) => m.Ebs?.DeleteOnTermination),
    'one snapshot per volume': (await snapshotsOfVolumes(ec2, victim.instance.volumeIds)).map((s) => s.VolumeId).sort(),
    'out of the Auto Scaling group': AutoScalingInstances.map((i) => i.AutoScalingGroupName),
    'out of the target group': TargetHealthDescriptions.filter((t) => t.Target?.Id === instanceId).map((t) => t.TargetHealth?.State),
    'instance profile removed': IamInstanceProfileAssociations.filter((a) => a.State === 'associated' || a.State === 'associating').length,
    'instance profile recorded': tags['ir:original-instance-profile'] === bench.account.seed.identities.instanceProfile.arn,
    'role sessions revoked': role !== null,
  };
}

/** containmentState of a victim fully contained, exactly once. */
export function containedOnce(victim: Victim): Record<string, unknown> {
  const eni = victim.instance.networkInterfaces[0]!;
  return {
    'isolation and untrack groups created once': [1, 1],
    'a fully open untrack group': true,
    'every ENI on one closed isolation group only': [true],
    'original groups recorded': { [eni.networkInterfaceId]: eni.groupIds },
    'incident tagged': true,
    'termination protection on': true,
    'shutdown stops': 'stop',
    'volumes kept on termination': victim.instance.volumeIds.map(() => false),
    'one snapshot per volume': [...victim.instance.volumeIds].sort(),
    'out of the Auto Scaling group': [],
    'out of the target group': [],
    'instance profile removed': 0,
    'instance profile recorded': true,
    'role sessions revoked': true,
  };
}

// ---- revoke-credentials victims ----

export interface KeyVictim {
  readonly userName: string;
  readonly accessKeyId: string;
  readonly finding: ReturnType<typeof userKeyFinding>;
}

/** A fresh IAM user with one active key, and a finding about that key. */
export async function freshKeyVictim(bench: Bench): Promise<KeyVictim> {
  const { iam } = bench.account.clients;
  const userName = `leaky-${bench.cells}-${Date.now()}`;
  const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const seed = { ...bench.account.seed, identities: { ...bench.account.seed.identities, user: { ...bench.account.seed.identities.user, userName, userId: User!.UserId! } } };
  return { userName, accessKeyId: AccessKey!.AccessKeyId!, finding: userKeyFinding(seed, AccessKey!.AccessKeyId!) };
}

export async function revocationState(bench: Bench, victim: KeyVictim): Promise<Record<string, unknown>> {
  const { iam } = bench.account.clients;
  return {
    'key deactivated': await accessKeyStatuses(iam, victim.userName),
    'sessions revoked': (await userRevokePolicy(iam, victim.userName)) !== null,
  };
}

export function revokedOnce(victim: KeyVictim): Record<string, unknown> {
  return { 'key deactivated': { [victim.accessKeyId]: 'Inactive' }, 'sessions revoked': true };
}

/** The security groups of the VPC the responder owns now (a cell's end state counts them). */
export async function groupsInVpc(bench: Bench): Promise<number> {
  const { SecurityGroups = [] } = await bench.account.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [bench.account.seed.network.vpcId] }] }));
  return SecurityGroups.length;
}

// ---- the matrix ----

/** The codes each refusal reaches the step as (bench/proxy-faults.ts answers in each protocol's own envelope). */
export const THROTTLING_CODES = ['RequestLimitExceeded', 'Throttling', 'ThrottlingException'];
export const DENIAL_CODES = ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException'];

export interface StepUnderFault {
  /** The report's step id, up to its first ':' (the target follows). */
  readonly step: string;
  /** Picks the step's request among this cell's calls; `calls` are the requests the proxy answered so far in the cell. */
  readonly matches: (request: ProxiedRequest, calls: LatencyProxy['calls']) => boolean;
  /** The end-state entry this step makes (containmentState / revocationState); null: none lasts (the untrack move, undone by isolation). */
  readonly effect: string | null;
  /** Entries that follow from it, left as they are when it is denied (isolation needs its groups, ...). */
  readonly follows?: readonly string[];
  /** What Lambda's retry leaves otherwise than acting once, by design, per fault (each says why where it is set). */
  readonly retryLeaves?: Partial<Record<FaultKind, Record<string, unknown>>>;
  /** Faults whose cell waits on behaviour another part of issue 11 builds (the reason): run in depends-on-other-parts.test.ts. */
  readonly otherPart?: Partial<Record<FaultKind, string>>;
}

/** The cells of a matrix this file proves: every step under every fault, but those waiting on another part. */
export function cellsOf(steps: readonly StepUnderFault[], waiting: boolean): [string, FaultKind, StepUnderFault][] {
  return ALL_FAULTS.flatMap((kind) =>
    steps.filter((s) => (s.otherPart?.[kind] !== undefined) === waiting).map((s) => [`${kind} on ${s.step} (${s.effect ?? 'a passing move'})`, kind, s] as [string, FaultKind, StepUnderFault]),
  );
}

export const ALL_FAULTS: readonly FaultKind[] = ['lost-answer', 'late-answer', 'throttling', 'access-denied'];

/** The report's outcome of the step under fault (the first, when a step has one per target). */
function outcomeOf(report: Report, step: string): Report['steps'][number] | undefined {
  return report.steps.find((s) => s.id.split(':')[0] === step);
}

export interface CellRun {
  readonly first: Invocation;
  /** Lambda's retry of the same event, when the first invocation failed (or, for a denial, once the permission is fixed). */
  readonly retry: Invocation | undefined;
  readonly notifications: Notification[];
}

/**
 * One cell: the fault armed on the step's request, the handler run, and, as
 * Lambda would, run again with the same event when the invocation failed.
 * A lost or late answer: acted once, the SDK's retry or Lambda's finishing
 * the work. Throttling past every retry: the invocation fails with the
 * step failed, and the retry finishes it. AccessDenied: the step fails, the
 * notification's subject names it, and nothing else of the response is lost.
 */
export async function runCell(
  bench: Bench,
  kind: FaultKind,
  step: StepUnderFault,
  event: unknown,
  playbook: PlaybookName,
): Promise<CellRun> {
  await arm(bench, { kind, matches: (request) => step.matches(request, bench.proxy.calls) });
  const first = await invoke(bench, event, playbook);
  // A cell whose fault never fired proves nothing.
  expect(bench.fired).toBeGreaterThan(0);
  const outcome = outcomeOf(first.report, step.step);
  let retry: Invocation | undefined;
  if (kind === 'throttling') {
    expect([outcome?.status, THROTTLING_CODES.includes(outcome?.error?.code ?? '')]).toEqual(['failed', true]);
    expect(first.failed).toBe(true);
  }
  if (kind === 'access-denied') {
    expect([outcome?.status, DENIAL_CODES.includes(outcome?.error?.code ?? '')]).toEqual(['failed', true]);
  }
  if (first.failed && kind !== 'access-denied') {
    disarm(bench);
    retry = await invoke(bench, event, playbook);
    expect(retry.failed ? retry.error.message : 'the retry finished').toBe('the retry finished');
  }
  const notifications = await inbox(bench);
  if (kind === 'access-denied') {
    // Never silent: a notification, and its subject names the step that could not be made.
    expect(notifications.map((n) => n.subject)).toEqual([expect.stringContaining(step.step)]);
  } else {
    // However it got there, the last word the team has is that every change is made.
    // Emulator gap: moto answers revoke-credentials' read-only investigation (CloudTrail LookupEvents,
    // GenerateServiceLastAccessedDetails) with HTTP 500, so that playbook's subject says PARTIAL (the
    // failed reads are in the message); no change may be among the failed, nor named in the subject.
    const last = retry ?? first;
    const changesFailed = failedSteps({ ...last.report, reads: [], steps: last.report.steps.filter((s) => s.mutating) });
    const subject = notifications.at(-1)?.subject ?? 'no notification';
    const expected = expect.stringMatching(playbook === 'revoke-credentials' ? /^\[GuardDuty IR (DONE|PARTIAL)\] revoke-credentials: / : /^\[GuardDuty IR DONE\] contain-instance: /);
    expect({ subject, changesFailed }).toEqual({ subject: expected, changesFailed: [] });
  }
  return { first, retry, notifications };
}

/** The end state after a cell: everything done once; for a denial, the step's effect (and what follows from it) not made, everything else done. */
export function expectEndState(kind: FaultKind, step: StepUnderFault, state: Record<string, unknown>, once: Record<string, unknown>): void {
  if (kind !== 'access-denied') {
    expect(state).toEqual({ ...once, ...step.retryLeaves?.[kind] });
    return;
  }
  const untouched = new Set([...(step.effect ? [step.effect] : []), ...(step.follows ?? [])]);
  expect(Object.fromEntries(Object.entries(state).filter(([key]) => !untouched.has(key)))).toEqual(Object.fromEntries(Object.entries(once).filter(([key]) => !untouched.has(key))));
  if (step.effect) expect({ [step.effect]: state[step.effect] }).not.toEqual({ [step.effect]: once[step.effect] });
}

/** The ledger after a cell that finished: the incident answered, with every step of the final report recorded as it ended. */
export async function expectLedgerAnswered(bench: Bench, report: Report): Promise<void> {
  const item = await ledgerItem(bench, report.incidentId);
  expect(item?.respondedAt?.S).toEqual(expect.any(String));
  expect(ledgerSteps(item)).toEqual(Object.fromEntries(report.steps.map((s) => [s.id, s.status])));
  expect(failedSteps({ ...report, reads: [], steps: report.steps.filter((s) => s.mutating) })).toEqual([]);
}
