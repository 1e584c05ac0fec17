import { AttachInstancesCommand, DescribeAutoScalingInstancesCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AssociateIamInstanceProfileCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  RunInstancesCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteRolePolicyCommand } from '@aws-sdk/client-iam';
import type { FaultKind, LatencyProxy, ProxiedRequest } from '../../../bench/latency-proxy';
import type { SeededInstance } from '../../../emulator/seed/instances';
import * as clientSeam from '../../../lambda/aws/clients';
import type { RuntimeConfig } from '../../../lambda/config/schema';
import { REVOKE_POLICY_NAME } from '../../../lambda/iam/revoke-sessions';
import { accessKeyRestoreKey, instanceRestoreKey, RestoreLedger, type RestoreRecord } from '../../../lambda/ledger/restore-record';
import type { Report } from '../../../lambda/plan/document';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import * as retryPolicy from '../../../lambda/runtime/retry-policy';
import { RetryableResponseError } from '../../../lambda/runtime/retry-policy';
import type { EmulatedAccount } from '../support/account';
import { describeInstance, groupsByEni, recordedOriginalGroups, responderGroups, shutdownBehavior, snapshotsOfVolumes, tagsOf, terminationProtection } from '../support/ec2-state';
import { instanceFindingEvent, userKeyFinding } from '../support/findings';
import { LEDGER_TABLE, startProxiedHandlerBench, type LedgerItem, type ProxiedHandlerBench } from '../support/handler-bench';
import { accessKeyStatuses, roleRevokePolicy, userRevokePolicy } from '../support/iam-state';
import type { Notification } from '../support/inbox';
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


/**
 * The SDK attempts of the handler's clients in these tests: 2, so a fault on
 * the first attempt only (a lost or late answer) is retried once by the SDK
 * and meets its own landed write, and throttling "past every retry" costs
 * one backoff rather than the four of the Lambda's 5 attempts.
 */
export const TEST_ATTEMPTS = 2;
/**
 * Late-answer cells: the client's request timeout, and how long the proxy
 * holds the answer (just past it), so a cell costs about one timeout. The
 * timeout holds for every call of the cell, so it is well above what one
 * call of a loaded emulator takes: at 800 ms, a call that was merely slow
 * timed out too and changed the cell's path (a restore cell once never
 * reached its restore move on a machine running a dozen test processes).
 */
export const LATE_TIMEOUT_MS = 1_500;
export const LATE_HOLD_MS = LATE_TIMEOUT_MS + 500;

export interface Bench {
  /** The handler against the emulator, through the proxy (support/handler-bench.ts). */
  readonly handler: ProxiedHandlerBench;
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
  const handler = await startProxiedHandlerBench();
  const { account, proxy, dynamodb } = handler;
  const bench: Bench = { account, proxy, dynamodb, handler, cells: 0, requestTimeoutMs: clientSeam.DEFAULT_REQUEST_TIMEOUT_MS, reports: [], fired: 0 };
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
  return bench;
}

export async function stopBench(bench: Bench | undefined): Promise<void> {
  jest.restoreAllMocks();
  await bench?.handler.close();
}

/** The run's configuration: every cell contains one more instance, and cuts the instance role too. */
function cellConfig(bench: Bench): Partial<RuntimeConfig> {
  return {
    // The brake is not what these tests are about.
    blastRadius: { maxContainmentsPerHour: 100 },
    // Every cell cuts the instance role too, so its two steps are faulted like the others.
    revokeInstanceCredentials: 'always',
    // The handler keeps its clients per container, keyed by this name (lambda/runtime/home-account.ts): a name per
    // cell is a cold container per cell, so each cell's clients get its own timeout and retry state. No cell is cross-account.
    memberRoleName: `IrFaultCell${bench.cells}`,
  };
}

export type Invocation = { readonly report: Report; readonly failed: false } | { readonly report: Report; readonly failed: true; readonly error: RetryableResponseError };

/** One invocation of the playbook's Lambda handler: its report, and whether the invocation failed (Lambda would retry it). */
export async function invoke(bench: Bench, event: unknown, playbook: PlaybookName): Promise<Invocation> {
  bench.reports.length = 0;
  try {
    return { report: await bench.handler.invoke(event, { playbook, config: cellConfig(bench), remainingMs: 120_000 }), failed: false };
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
  return bench.handler.inbox();
}

export function ledgerItem(bench: Bench, incidentId: string): Promise<LedgerItem | undefined> {
  return bench.handler.item(`incident#${incidentId}`);
}

/** The ledger's record of each step: id → status. */
export function ledgerSteps(item: LedgerItem | undefined): Record<string, string> {
  return Object.fromEntries((item?.steps?.L ?? []).map((s) => [s.M?.id?.S ?? '', s.M?.status?.S ?? '']));
}

// ---- contain-instance victims ----

export interface Victim {
  readonly instance: SeededInstance;
  /** Each volume's DeleteOnTermination before the response, by volume id. */
  readonly deleteOnTermination: Readonly<Record<string, boolean>>;
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
  const [isolation, untrack, rolePolicy] = await Promise.all([
    responderGroups(ec2, vpcId, 'isolation'),
    responderGroups(ec2, vpcId, 'untrack'),
    roleRevokePolicy(bench.account.clients.iam, seed.identities.instanceRole.roleName),
  ]);
  const earlier = [...isolation, ...untrack].map((g) => g.GroupId!);
  if (earlier.length > 0) await ec2.send(new DeleteTagsCommand({ Resources: earlier, Tags: [{ Key: 'ir:managed-by' }, { Key: 'ir:purpose' }] }));
  // The instance role is the seeded one, shared by every cell: its revocation policy is this cell's to write.
  if (rolePolicy !== null) {
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
  const deleteOnTermination = Object.fromEntries((described.BlockDeviceMappings ?? []).map((m) => [m.Ebs!.VolumeId!, m.Ebs!.DeleteOnTermination === true]));
  return { instance, deleteOnTermination, event: instanceFindingEvent(seed, instance) };
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
  // Reads only, nothing runs meanwhile: all at once.
  const [instance, isolation, untrack, { AutoScalingInstances = [] }, { TargetHealthDescriptions = [] }, { IamInstanceProfileAssociations = [] }, role, protection, shutdown, snapshots, record] =
    await Promise.all([
      describeInstance(ec2, instanceId),
      responderGroups(ec2, vpcId, 'isolation'),
      responderGroups(ec2, vpcId, 'untrack'),
      autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] })),
      elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: bench.account.seed.fleet.targetGroupArn })),
      ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
      roleRevokePolicy(iam, bench.account.seed.identities.instanceRole.roleName),
      terminationProtection(ec2, instanceId),
      shutdownBehavior(ec2, instanceId),
      snapshotsOfVolumes(ec2, victim.instance.volumeIds),
      restoreLedger(bench).read(instanceRestoreKey(bench.account.seed.accountId, bench.account.seed.region, instanceId)),
    ]);
  const tags = tagsOf(instance);
  const closed = new Set(isolation.filter((g) => (g.IpPermissions ?? []).length === 0 && (g.IpPermissionsEgress ?? []).length === 0).map((g) => g.GroupId));
  return {
    'isolation and untrack groups created once': [isolation.length, untrack.length],
    'a fully open untrack group': untrack.some((g) => allowsAll(g.IpPermissions) && allowsAll(g.IpPermissionsEgress)),
    'every ENI on one closed isolation group only': Object.values(groupsByEni(instance)).map((groups) => groups.length === 1 && closed.has(groups[0]!)),
    'original groups recorded': recordedOriginalGroups(instance),
    'incident tagged': tags['ir:incident-id'] !== undefined,
    'termination protection on': protection,
    'shutdown stops': shutdown,
    'volumes kept on termination': (instance.BlockDeviceMappings ?? []).map((m) => m.Ebs?.DeleteOnTermination),
    'one snapshot per volume': snapshots.map((s) => s.VolumeId).sort(),
    'out of the Auto Scaling group': AutoScalingInstances.map((i) => i.AutoScalingGroupName),
    'out of the target group': TargetHealthDescriptions.filter((t) => t.Target?.Id === instanceId).map((t) => t.TargetHealth?.State),
    'instance profile removed': IamInstanceProfileAssociations.filter((a) => a.State === 'associated' || a.State === 'associating').length,
    'instance profile recorded': tags['ir:original-instance-profile'] === bench.account.seed.identities.instanceProfile.arn,
    'role sessions revoked': role !== null,
    'restore record in the ledger': restoreRecordOf(record),
  };
}

function restoreLedger(bench: Bench): RestoreLedger {
  return new RestoreLedger(bench.dynamodb, LEDGER_TABLE);
}

/** What `ir release` would restore an instance to, as the ledger holds it. */
function restoreRecordOf(record: RestoreRecord | undefined): Record<string, unknown> | null {
  if (!record) return null;
  return {
    groups: Object.fromEntries(record.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()])),
    deleteOnTermination: Object.fromEntries(record.volumes.map((v) => [v.volumeId, v.deleteOnTermination])),
    instanceProfileArn: record.instanceProfileArn,
    autoScalingGroup: record.autoScalingGroup,
    targetGroups: record.targetGroups.map((g) => g.targetGroupArn),
    terminationProtection: record.terminationProtection,
  };
}

/** containmentState of a victim fully contained, exactly once. */
export function containedOnce(bench: Bench, victim: Victim): Record<string, unknown> {
  const { seed } = bench.account;
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
    'restore record in the ledger': {
      groups: { [eni.networkInterfaceId]: eni.groupIds },
      deleteOnTermination: victim.deleteOnTermination,
      instanceProfileArn: seed.identities.instanceProfile.arn,
      autoScalingGroup: seed.fleet.autoScalingGroupName,
      targetGroups: [seed.fleet.targetGroupArn],
      terminationProtection: false,
    },
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
  const [keys, policy, record] = await Promise.all([
    accessKeyStatuses(iam, victim.userName),
    userRevokePolicy(iam, victim.userName),
    restoreLedger(bench).read(accessKeyRestoreKey(bench.account.seed.accountId, victim.accessKeyId)),
  ]);
  return { 'key deactivated': keys, 'sessions revoked': policy !== null, 'restore record in the ledger': keyRestoreRecordOf(record) };
}

/** What `ir release --access-key` would restore, as the ledger holds it. */
function keyRestoreRecordOf(record: RestoreRecord | undefined): Record<string, unknown> | null {
  if (!record) return null;
  return { accessKey: record.accessKey, sessionPolicies: record.sessionPolicies };
}

export function revokedOnce(victim: KeyVictim): Record<string, unknown> {
  return {
    'key deactivated': { [victim.accessKeyId]: 'Inactive' },
    'sessions revoked': true,
    'restore record in the ledger': {
      accessKey: { userName: victim.userName, status: 'Active' },
      sessionPolicies: [{ principal: { kind: 'user', name: victim.userName }, previousDocument: null }],
    },
  };
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
  /** What the end state holds otherwise than acting once, by design, per fault (each says why where it is set). */
  readonly retryLeaves?: Partial<Record<FaultKind, Record<string, unknown>>>;
  /**
   * The request writes a convenience copy of what the ledger's restore record
   * holds (a tag on the instance): refused (throttled, denied), the step goes
   * on without it and reports it not recorded; nothing fails. The reason.
   */
  readonly copyOnly?: string;
}

export const ALL_FAULTS: readonly FaultKind[] = ['lost-answer', 'late-answer', 'throttling', 'access-denied'];

/** Every step under every fault (or the faults named), named for the test list. */
export function cellsOf(steps: readonly StepUnderFault[], kinds: readonly FaultKind[] = ALL_FAULTS): [string, FaultKind, StepUnderFault][] {
  return kinds.flatMap((kind) => steps.map((s) => [`${kind} on ${s.step} (${s.effect ?? 'a passing move'})`, kind, s] as [string, FaultKind, StepUnderFault]));
}

/** The report's outcome of the step under fault (the first, when a step has one per target). */
function outcomeOf(report: Report, step: string): Report['steps'][number] | undefined {
  return report.steps.find((s) => s.id.split(':')[0] === step);
}

/** The changes a report says failed (its read-only steps aside: see runCell on revoke-credentials' reads). */
const failedChanges = (report: Report) => failedSteps({ ...report, reads: [], steps: report.steps.filter((s) => s.mutating) });

export interface CellCase {
  readonly kind: FaultKind;
  readonly step: StepUnderFault;
  readonly event: unknown;
  readonly playbook: PlaybookName;
  /** The account's and the restore record's state, read from moto. */
  readonly state: () => Promise<Record<string, unknown>>;
  /** That state once the response acted, exactly once. */
  readonly once: Record<string, unknown>;
}

export interface CellRun {
  readonly first: Invocation;
  /** The invocation that finished the work: Lambda's retry, or the delivery once the permission is fixed; absent when the first finished it. */
  readonly retry: Invocation | undefined;
}

/**
 * One cell: the fault armed on the step's request, the handler run, and
 * whatever has to follow for the work to be finished; then the end state of
 * the account and of the ledger. Never silent:
 * - a lost or late answer: acted once, the SDK's retry meeting its own
 *   landed write, or the invocation failed and Lambda's retry finishes it;
 * - throttling past every retry: the step failed, the invocation failed,
 *   and Lambda's retry (the throttling over) finishes it;
 * - AccessDenied: the step failed and the subject names it, the step's
 *   effect is not made but everything else is, and the incident stays open
 *   in the ledger, so the delivery after the permission is fixed finishes it;
 * - a refused convenience copy (copyOnly): the step goes on without it.
 * Then: acted once (but what retryLeaves names), the team's last word is
 * that every change is made, and the ledger has the incident answered.
 */
export async function runCell(bench: Bench, cell: CellCase): Promise<CellRun> {
  const { kind, step, event, playbook } = cell;
  await arm(bench, { kind, matches: (request) => step.matches(request, bench.proxy.calls) });
  const first = await invoke(bench, event, playbook);
  // A cell whose fault never fired proves nothing.
  expect(bench.fired).toBeGreaterThan(0);
  const outcome = outcomeOf(first.report, step.step);
  const refused = kind === 'throttling' || kind === 'access-denied';
  if (refused && step.copyOnly !== undefined) {
    expect([outcome?.status, first.failed]).toEqual(['done', false]);
    expect(outcome?.detail).toContain('NOT recorded');
  } else if (refused) {
    expect([outcome?.status, (kind === 'throttling' ? THROTTLING_CODES : DENIAL_CODES).includes(outcome?.error?.code ?? '')]).toEqual(['failed', true]);
    // Throttling is retried by Lambda; a lasting denial is not, and its incident stays open for the next delivery.
    expect(first.failed).toBe(kind === 'throttling');
  }
  let retry: Invocation | undefined;
  if (kind === 'access-denied' && step.copyOnly === undefined) {
    await expectDenied(bench, cell, first);
    disarm(bench);
    retry = await invoke(bench, event, playbook);
  } else if (first.failed) {
    disarm(bench);
    retry = await invoke(bench, event, playbook);
  }
  const last = retry ?? first;
  expect(last.failed ? last.error.message : 'finished').toBe('finished');
  // However it got there, the last word the team has is that every change is made.
  // Emulator gap: moto answers revoke-credentials' read-only investigation (CloudTrail LookupEvents,
  // GenerateServiceLastAccessedDetails) with HTTP 500; with localEmulator (emulator/runtime-config.ts) those
  // steps are recorded "not available in the local emulator" (lambda/aws/local-emulator-gaps.ts), so the
  // subject says DONE; no change may be among the failed, nor named in the subject.
  const subject = (await inbox(bench)).at(-1)?.subject ?? 'no notification';
  const expected = expect.stringMatching(new RegExp(`^\\[GuardDuty IR DONE\\] ${playbook}: `));
  expect({ subject, changesFailed: failedChanges(last.report) }).toEqual({ subject: expected, changesFailed: [] });
  expect(await cell.state()).toEqual({ ...cell.once, ...step.retryLeaves?.[kind] });
  await expectLedgerAnswered(bench, last.report);
  return { first, retry };
}

/** After a denial: the notification names the step, its effect (and what follows from it) is not made, everything else is, and the incident is open. */
async function expectDenied(bench: Bench, cell: CellCase, first: Invocation): Promise<void> {
  const { step } = cell;
  expect((await inbox(bench)).map((n) => n.subject)).toEqual([expect.stringContaining(step.step)]);
  const state = await cell.state();
  const untouched = new Set([...(step.effect ? [step.effect] : []), ...(step.follows ?? [])]);
  const without = (of: Record<string, unknown>) => Object.fromEntries(Object.entries(of).filter(([key]) => !untouched.has(key)));
  expect(without(state)).toEqual(without(cell.once));
  if (step.effect) expect({ [step.effect]: state[step.effect] }).not.toEqual({ [step.effect]: cell.once[step.effect] });
  const item = await ledgerItem(bench, first.report.incidentId);
  expect({ respondedAt: item?.respondedAt?.S, step: ledgerSteps(item)[outcomeOf(first.report, step.step)!.id] }).toEqual({ respondedAt: undefined, step: 'failed' });
}

/** The ledger after a cell that finished: the incident answered, with every step of the final report recorded as it ended. */
export async function expectLedgerAnswered(bench: Bench, report: Report): Promise<void> {
  const item = await ledgerItem(bench, report.incidentId);
  expect(item?.respondedAt?.S).toEqual(expect.any(String));
  expect(ledgerSteps(item)).toEqual(Object.fromEntries(report.steps.map((s) => [s.id, s.status])));
  expect(failedChanges(report)).toEqual([]);
}
