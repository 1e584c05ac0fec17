import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { chainDepths } from '../../../bench/round-trips';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { respond } from '../../../lambda/respond/respond';
import { restoreLedgerFor } from '../../../lambda/runtime/restore-ledger';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID as MEMBER, answerFromWorld, defaultWorld, mockContainClients } from '../../support/aws-mocks/contain-world';
import { DETECTOR_ID, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { RoundTripLatency } from '../../support/aws-mocks/round-trip-latency';

/*
 * The confirmation runs beside the first reads: it adds no sequential round
 * trip before the first isolation move. Every AWS call here costs a fixed
 * delay, like a round trip to AWS (as bench/latency-proxy.ts does in front
 * of the emulator, answering GuardDuty itself), and the chain of
 * calls each sent after the previous one was answered is measured the way
 * the benchmark measures it (bench/round-trips.ts). The same response with
 * confirmFindings off is the baseline.
 */

const LATENCY_MS = 60;
const guardDuty = useGuardDuty();
const mocks = mockContainClients();
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const latency = new RoundTripLatency(LATENCY_MS);
const { calls } = latency;

afterEach(() => latency.remove());

afterAll(() => {
  for (const stub of [...Object.values(mocks), sts, dynamodb]) stub.restore();
});

beforeEach(() => {
  latency.clear();
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
  guardDuty.holds(containFinding());
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { 'ledger-table': [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  latency.install();
});

/** A container: its clients (and the detector id looked up with them) live as long as it does. */
function container(homeAccount: string): AccountAccess {
  return new AccountAccess({
    home: async () => ({ accountId: homeAccount, partition: 'aws' }),
    memberRoleName: 'IncidentResponseMemberRole',
    clientClasses: EVERY_CLIENT,
    base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
  });
}

interface Timeline {
  /** Round trips answered before the first isolation move was sent. */
  readonly beforeFirstMove: number;
  readonly operations: readonly string[];
}

/** The incident ledger and the brake, as the Lambda handler always has them (lambda/runtime/ledger-options.ts). */
function ledgerOptions(access: AccountAccess): LedgerOptions {
  const client = access.homeClients('us-east-1').dynamodb;
  return { ledger: new IncidentLedger(client, 'ledger-table', () => NOW), brake: new ContainmentBrake(client, 'ledger-table', 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

async function respondTimed(access: AccountAccess, confirmFindings: boolean, withLedger = false, withRestoreRecord = false, detectorId?: string): Promise<Timeline> {
  latency.clear();
  const report = await respond(containFinding(), {
    config: enforceConfig({ confirmFindings, ...(detectorId ? { guardDuty: { archiveAfterContainment: false, detectorId } } : {}) }),
    access,
    ...(detectorId ? { stackRegion: 'us-east-1' } : {}),
    dryRun: false,
    responder: RESPONDER,
    now: () => NOW,
    ...(withLedger ? { ledger: ledgerOptions(access) } : {}),
    ...(withRestoreRecord ? { restoreLedger: restoreLedgerFor(access, 'us-east-1', 'ledger-table') } : {}),
  });
  expect(report.blockedBy).toEqual([]);
  expect(mocks.ec2).toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  const depths = chainDepths(calls);
  const firstMove = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute').sort((a, b) => a.sentAt - b.sentAt)[0]!;
  return { beforeFirstMove: depths.get(firstMove)! - 1, operations: calls.map((c) => c.operation) };
}

/** Sent before the first isolation move, and answered before it: the confirmation finished in time, beside the reads. */
function confirmationBeforeFirstMove(): void {
  const firstMove = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute').sort((a, b) => a.sentAt - b.sentAt)[0]!;
  const getFindings = calls.find((c) => c.operation === 'GetFindings')!;
  const describe = calls.find((c) => c.operation === 'DescribeInstances')!;
  expect(getFindings.answeredAt).toBeLessThanOrEqual(firstMove.sentAt);
  // In flight together with the first read, not after it.
  expect(getFindings.sentAt).toBeLessThan(describe.answeredAt);
}

describe('round trips before the first isolation move', () => {
  it('member-account finding, a container’s first: ListDetectors → GetFindings runs beside AssumeRole → DescribeInstances, no round trip added', async () => {
    const off = await respondTimed(container('111111111111'), false);
    const on = await respondTimed(container('111111111111'), true);
    expect(off.beforeFirstMove).toBe(2);
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove);
    expect(on.operations).toEqual(expect.arrayContaining(['ListDetectors', 'GetFindings', 'AssumeRole']));
    confirmationBeforeFirstMove();
  });

  it('a finding of the security account itself, later findings of a container (detector id known): GetFindings beside DescribeInstances, no round trip added', async () => {
    const access = container(MEMBER);
    const off = await respondTimed(access, false);
    await respondTimed(access, true);
    const on = await respondTimed(access, true);
    expect(on.operations).not.toContain('ListDetectors');
    expect(off.beforeFirstMove).toBe(1);
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove);
    confirmationBeforeFirstMove();
  });

  it('in the Lambda (with the ledger), a container’s very first finding of the security account itself: the look-up runs beside the brake’s read-then-reserve, and holding the claim to act after it is one round trip more', async () => {
    const off = await respondTimed(container(MEMBER), false, true);
    const on = await respondTimed(container(MEMBER), true, true);
    expect(on.operations).toEqual(expect.arrayContaining(['ListDetectors', 'GetFindings', 'BatchGetItem', 'PutItem']));
    // The brake reads its slots, then reserves one: two round trips before any change.
    expect(off.beforeFirstMove).toBe(2);
    // ListDetectors -> GetFindings -> the claim held to act (lambda/respond/gate.ts holdToAct, which needs GuardDuty's answer):
    // the price of a claim that a flood of forged deliveries cannot keep, paid once per container (the detector id is kept).
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove + 1);
    confirmationBeforeFirstMove();
  });

  it('in the Lambda (with the ledger), configured detector (guardDuty.detectorId): a container’s very first finding asks GetFindings at once, no round trip added', async () => {
    const off = await respondTimed(container(MEMBER), false, true);
    const on = await respondTimed(container(MEMBER), true, true, false, DETECTOR_ID);
    expect(on.operations).not.toContain('ListDetectors');
    expect(on.operations).toEqual(expect.arrayContaining(['GetFindings', 'BatchGetItem', 'PutItem']));
    expect(off.beforeFirstMove).toBe(2);
    // The round trip the look-up costs a cold container (the case above) is saved.
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove);
    confirmationBeforeFirstMove();
  });

  it('in the Lambda (with the ledger), later findings of a container (detector id known): GetFindings, then the claim held to act, beside the brake’s read-then-reserve, no round trip added', async () => {
    const access = container(MEMBER);
    const off = await respondTimed(access, false, true);
    await respondTimed(access, true, true);
    const on = await respondTimed(access, true, true);
    expect(on.operations).not.toContain('ListDetectors');
    expect(off.beforeFirstMove).toBe(2);
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove);
    confirmationBeforeFirstMove();
  });

  it('in the Lambda, the restore record written to the ledger before the first change: one round trip more, after the brake', async () => {
    const access = container(MEMBER);
    await respondTimed(access, true, true);
    const without = await respondTimed(access, true, true);
    const withRecord = await respondTimed(access, true, true, true);
    expect(without.beforeFirstMove).toBe(2);
    expect(withRecord.beforeFirstMove).toBe(without.beforeFirstMove + 1);
  });

  it('configured detector: 1 round trip before the first change on a container’s first finding of the security account itself (GetFindings beside DescribeInstances)', async () => {
    const off = await respondTimed(container(MEMBER), false);
    const on = await respondTimed(container(MEMBER), true, false, false, DETECTOR_ID);
    expect(on.operations).not.toContain('ListDetectors');
    expect(off.beforeFirstMove).toBe(1);
    expect(on.beforeFirstMove).toBe(1);
    confirmationBeforeFirstMove();
  });

  it('without the ledger (ir respond), a container’s very first finding of the security account itself: the detector look-up is the one round trip more', async () => {
    const off = await respondTimed(container(MEMBER), false);
    const on = await respondTimed(container(MEMBER), true);
    expect(off.beforeFirstMove).toBe(1);
    expect(on.beforeFirstMove).toBe(off.beforeFirstMove + 1);
  });
});
