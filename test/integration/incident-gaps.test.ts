import { type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../../bench/latency-proxy';
import { EMULATOR_REGION } from '../../emulator/clients';
import { EMULATOR_CONFIG_OVERRIDES } from '../../emulator/runtime-config';
import { DEFAULT_RUNTIME_CONFIG } from '../../lambda/config/schema';
import { instanceResource } from '../../lambda/ledger/incident-resource';
import { resourceKey } from '../../lambda/ledger/resource-incidents';
import { RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import type { ReleaseReport } from '../../lambda/release/report';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import { handleAs } from '../support/playbook-entries';
import type { SeededInstance } from '../../emulator/seed/instances';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups, snapshotsOfVolumes } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { readInbox } from './support/inbox';
import { createLedgerTable, LEDGER_TABLE } from './support/handler-bench';

/*
 * Gaps of the ledger around one resource's incident, through the real Lambda
 * handler, the fault proxy (bench/latency-proxy.ts) and the emulator:
 *
 * B. instance B: the restore record's write is denied (AccessDenied): that is
 *    "before any change". Nothing is changed, the incident stays open and its
 *    brake slot goes back; once the permission is fixed, the next delivery of
 *    the finding contains B.
 * A. instance A is contained, then released in full by `ir release`
 *    (releaseInstance, from the ledger): the release closes A's incident, so
 *    a later finding about A opens a NEW incident and contains A again,
 *    instead of joining the released one. Findings that then join that new
 *    incident are counted in their JOINED note once each: a re-sent joined
 *    finding says nothing and counts nothing.
 */

const TABLE = LEDGER_TABLE;

let account: EmulatedAccount;
let proxy: LatencyProxy;
let dynamodb: DynamoDBClient;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

function env(): LambdaEnvironment {
  return {
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode: 'enforce', blastRadius: { maxContainmentsPerHour: 5 } },
    topicArn: account.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: TABLE,
  };
}

const context = (awsRequestId: string) => ({
  invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${account.seed.accountId}:function:ir`,
  getRemainingTimeInMillis: () => 50_000,
  awsRequestId,
});
const invoke = async (event: unknown, requestId: string) => (await handleAs(event, context(requestId), env())) as Report;
const inbox = () => readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);

async function ledgerItem(pk: string) {
  return (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

async function brakeSlots(): Promise<number> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
  return Items.filter((item) => item.pk?.S?.startsWith('brake#slot#')).length;
}

async function isolated(instance: SeededInstance): Promise<boolean> {
  const groups = groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId));
  const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
  return isolation?.GroupId !== undefined && Object.values(groups).every((ids) => ids.length === 1 && ids[0] === isolation.GroupId);
}

const seededGroupsOf = (instance: SeededInstance) => Object.fromEntries(instance.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()]));
const groupsNow = async (instance: SeededInstance) =>
  Object.fromEntries(Object.entries(groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId))).map(([eni, ids]) => [eni, [...ids].sort()]));
const snapshotCount = async (instance: SeededInstance) => (await snapshotsOfVolumes(account.clients.ec2, instance.volumeIds)).length;
const pointerOf = (instance: SeededInstance) => resourceKey(instanceResource(account.seed.accountId, account.seed.region, instance.instanceId)).pk!.S!;
/** The restore record's writes (lambda/ledger/restore-record.ts): UpdateItem or PutItem of a `restore#` item. */
const isRestoreRecordWrite = (request: ProxiedRequest) =>
  (request.operation === 'DynamoDB_20120810.UpdateItem' || request.operation === 'DynamoDB_20120810.PutItem') && (request.params.pk ?? '').startsWith('restore#');

beforeAll(async () => {
  account = await freshSeededAccount();
  dynamodb = await createLedgerTable(account);
  proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  await proxy.close();
});

describe('B. the restore record cannot be written (AccessDenied), then the permission is fixed', () => {
  let denied: Report;
  let itemAfterDenied: Awaited<ReturnType<typeof ledgerItem>>;
  let slotsAfterDenied: number;
  let groupsAfterDenied: Record<string, string[]>;
  let snapshotsAfterDenied: number;
  let fixed: Report;

  beforeAll(async () => {
    const event = instanceFindingEvent(account.seed, account.seed.instanceB);
    proxy.addFault({ kind: 'access-denied', matches: isRestoreRecordWrite });
    denied = await invoke(event, 'request-b1');
    proxy.clearFaults();
    itemAfterDenied = await ledgerItem(`incident#${denied.incidentId}`);
    slotsAfterDenied = await brakeSlots();
    groupsAfterDenied = await groupsNow(account.seed.instanceB);
    snapshotsAfterDenied = await snapshotCount(account.seed.instanceB);
    await inbox();
    // GuardDuty sends the finding again (its count grew); the permission is fixed by then.
    fixed = await invoke(event, 'request-b2');
  });

  it('the denied record changed nothing: B on its own groups, no snapshot, its brake slot given back', async () => {
    expect(denied.steps.find((s) => s.id === 'record-restore:network')).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    expect(denied.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(groupsAfterDenied).toEqual(seededGroupsOf(account.seed.instanceB));
    expect(snapshotsAfterDenied).toBe(0);
    expect(slotsAfterDenied).toBe(0);
  });

  it('and left the incident open: no answer, the claim given back', () => {
    expect(itemAfterDenied?.respondedLevel).toBeUndefined();
    expect(itemAfterDenied?.answerKind).toBeUndefined();
    expect(itemAfterDenied?.claimToken).toBeUndefined();
    expect(itemAfterDenied?.leaseUntil).toBeUndefined();
  });

  it('the delivery after the fix claimed the same incident and contained B: isolated, one snapshot set, one slot', async () => {
    expect(fixed.incidentId).toBe(denied.incidentId);
    expect(fixed.blockedBy).toEqual([]);
    expect(fixed.summary.failed).toBe(0);
    expect(await isolated(account.seed.instanceB)).toBe(true);
    expect(await snapshotCount(account.seed.instanceB)).toBe(account.seed.instanceB.volumeIds.length);
    expect(await brakeSlots()).toBe(1);
    expect((await ledgerItem(`incident#${fixed.incidentId}`))?.answerKind).toEqual({ S: 'changes-done' });
  });
});

describe('A. contained, released in full by ir release, then new findings about A', () => {
  const instance = () => account.seed.instanceA;
  let first: Report;
  let released: ReleaseReport;
  let pointerAfterRelease: Awaited<ReturnType<typeof ledgerItem>>;
  let firstItemAfterRelease: Awaited<ReturnType<typeof ledgerItem>>;
  let groupsAfterRelease: Record<string, string[]>;
  let resent: Report;
  let groupsAfterResent: Record<string, string[]>;
  let second: Report;
  let slotsBeforeSecond: number;

  beforeAll(async () => {
    const firstEvent = instanceFindingEvent(account.seed, instance());
    first = await invoke(firstEvent, 'request-a1');
    released = await releaseInstance(instance().instanceId, { clients: account.clients, region: account.seed.region, dryRun: false, ledger: new RestoreLedger(dynamodb, TABLE) });
    pointerAfterRelease = await ledgerItem(pointerOf(instance()));
    firstItemAfterRelease = await ledgerItem(`incident#${first.incidentId}`);
    groupsAfterRelease = await groupsNow(instance());
    // The first finding re-sent after the release: still a repeat of its (released) incident, not a new containment.
    resent = await invoke(firstEvent, 'request-a1-resent');
    groupsAfterResent = await groupsNow(instance());
    slotsBeforeSecond = await brakeSlots();
    await inbox();
    second = await invoke(instanceFindingEvent(account.seed, instance(), { type: 'Backdoor:EC2/C&CActivity.B' }), 'request-a2');
  });

  it('the release restored A and closed its incident in the ledger (the incident and the resource pointer)', async () => {
    expect(first.blockedBy).toEqual([]);
    expect(released.summary.failed).toBe(0);
    expect(released.ledger).toMatchObject({ status: 'recorded', closed: true, incident: { status: 'closed', incidentId: first.incidentId } });
    expect(groupsAfterRelease).toEqual(seededGroupsOf(instance()));
    expect(pointerAfterRelease?.incidentId).toEqual({ S: first.incidentId });
    expect(pointerAfterRelease?.closedAt?.S).toBeDefined();
    expect(firstItemAfterRelease?.closedAt?.S).toBeDefined();
  });

  it('the first finding re-sent after the release stays a repeat of the released incident: nothing contained again', async () => {
    expect(resent.incidentId).toBe(first.incidentId);
    expect(resent.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(groupsAfterResent).toEqual(seededGroupsOf(instance()));
  });

  it('a new finding about A opens a NEW incident and contains A again: isolated, its own snapshot set and slot', async () => {
    expect(second.incidentId).not.toBe(first.incidentId);
    expect(second.blockedBy).toEqual([]);
    expect(second.summary.failed).toBe(0);
    expect(await isolated(instance())).toBe(true);
    expect(await snapshotCount(instance())).toBe(2 * instance().volumeIds.length);
    expect(await brakeSlots()).toBe(slotsBeforeSecond + 1);
    const pointer = await ledgerItem(pointerOf(instance()));
    expect(pointer?.incidentId).toEqual({ S: second.incidentId });
    expect(pointer?.closedAt).toBeUndefined();
  });

  describe('findings that join the new incident', () => {
    const joiner = (id: string) => instanceFindingEvent(account.seed, account.seed.instanceA, { id, type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' });
    let notes: Awaited<ReturnType<typeof inbox>>[];

    beforeAll(async () => {
      await inbox();
      notes = [];
      for (const [id, request] of [
        ['f000000000000000000000000000join1', 'request-j1'],
        ['f000000000000000000000000000join1', 'request-j1-resent'],
        ['f000000000000000000000000000join2', 'request-j2'],
      ] as const) {
        await invoke(joiner(id), request);
        notes.push(await inbox());
      }
    });

    it('each new one is counted once in its note; the re-sent one sends no note and counts nothing', async () => {
      expect(notes.map((batch) => batch.length)).toEqual([1, 0, 1]);
      expect(notes[0]![0]!.message).toContain('The incident now holds 2 findings, this one included.');
      expect(notes[2]![0]!.message).toContain('The incident now holds 3 findings, this one included.');
      const item = (await ledgerItem(`incident#${second.incidentId}`))!;
      expect(item.findingIds?.SS?.sort()).toEqual([second.findingId, 'f000000000000000000000000000join1', 'f000000000000000000000000000join2'].sort());
      expect(item.joinedFindings?.L).toHaveLength(2);
    });
  });
});
