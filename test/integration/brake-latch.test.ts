import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_REGION } from '../../emulator/clients';
import { runIr } from '../support/run-ir';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';

/*
 * The latch through the real Lambda handler and the real `ir`, against the
 * emulator's DynamoDB and SNS: with one containment an hour, the second
 * instance's finding latches the brake (announced once); the latch holds
 * after the hour's slot has aged out; `ir brake release` clears it, records
 * who and why, and announces it; the next delivery contains.
 */

const TABLE = LEDGER_TABLE;

let bench: HandlerBench;
let account: EmulatedAccount;
let dynamodb: DynamoDBClient;
const config = join(mkdtempSync(join(tmpdir(), 'ir-brake-latch-')), 'config.json');
writeFileSync(config, JSON.stringify({ blastRadius: { maxContainmentsPerHour: 1 } }));

const invoke = (event: unknown) => bench.invoke(event, { config: { blastRadius: { maxContainmentsPerHour: 1 } } });
const inbox = async () => (await bench.inbox()).map((n) => n.subject).sort();
const item = (pk: string) => bench.item(pk);
const brake = (...args: string[]) =>
  runIr('brake', ...args, '--config', config, '--region', EMULATOR_REGION, '--endpoint-url', account.endpoint, '--table', TABLE, '--topic-arn', account.seed.notifications.topicArn);

beforeAll(async () => {
  bench = await startHandlerBench();
  ({ account, dynamodb } = bench);
  process.env.NO_COLOR = '1';
});

afterAll(() => bench?.close());

describe('the latched brake, from the first refusal to the operator’s release', () => {
  let secondEvent: ReturnType<typeof instanceFindingEvent>;
  let groupsOfB: Record<string, string[]>;

  beforeAll(async () => {
    const first = await invoke(instanceFindingEvent(account.seed, account.seed.instanceA));
    expect(first.blockedBy).toEqual([]);
    await inbox();
    groupsOfB = groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId));
    secondEvent = instanceFindingEvent(account.seed, account.seed.instanceB);
  });

  it('engages when the hour is used up: the refused response reports itself, and the latch is announced once', async () => {
    const report = await invoke(secondEvent);
    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    expect(report.guards.find((g) => g.id === 'blast-radius-brake')!.reason).toMatch(/^The blast-radius brake is LATCHED since .* This response engaged it\..*ir brake release --reason/);
    expect(await inbox()).toEqual([
      // The engaging finding's severity and instance follow what the brake stops (lambda/notify/brake-announcement.ts).
      expect.stringMatching(new RegExp(`^\\[GuardDuty IR BRAKE LATCHED\\] no more containments in ${EMULATOR_REGION}: (LOW|MEDIUM|HIGH|CRITICAL) \\d+\\.\\d+ i-`)),
      expect.stringMatching(/^\[GuardDuty IR BRAKE ON - NOT CONTAINED\] contain-instance/),
    ]);
    expect(await item('brake#latch')).toMatchObject({ incidentId: { S: report.incidentId }, playbook: { S: 'contain-instance' }, limit: { N: '1' } });
    expect(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId))).toEqual(groupsOfB);
  });

  it('holds after the hour’s slot has aged out: the next delivery is refused, and nothing is announced again', async () => {
    const latch = await item('brake#latch');
    // The slot contained instance A more than an hour ago, as far as the brake can tell.
    await dynamodb.send(
      new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: 'brake#slot#000' } }, UpdateExpression: 'SET reservedAt = :long', ExpressionAttributeValues: { ':long': { N: String(Date.now() - 2 * 3_600_000) } } }),
    );
    const report = await invoke(secondEvent);
    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    expect(report.guards.find((g) => g.id === 'blast-radius-brake')!.reason).not.toContain('This response engaged it');
    expect(await inbox()).toEqual([expect.stringMatching(/^\[GuardDuty IR BRAKE ON - NOT CONTAINED\]/)]);
    expect(await item('brake#latch')).toEqual(latch);
    expect(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId))).toEqual(groupsOfB);
  });

  it('ir brake status shows it latched, and ir brake release clears it, records who and why, and announces it', async () => {
    const status = await brake('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('state   LATCHED since');
    expect(status.stdout).toContain('slots   0 of 1 held within the rolling hour');

    const refused = await brake('release');
    expect(refused.code).toBe(2);
    expect(await item('brake#latch')).toBeDefined();

    const latch = await item('brake#latch');
    const released = await brake('release', '--reason', 'two instances of the same test fleet, checked');
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(await item('brake#latch')).toBeUndefined();
    const record = await item(`brake#release#${latch!.engagementId!.S}`);
    expect(record).toMatchObject({
      kind: { S: 'brake-release' },
      reason: { S: 'two instances of the same test fleet, checked' },
      releasedBy: { S: expect.stringMatching(/^arn:aws:(iam|sts)::/) },
      engagedAt: latch!.engagedAt,
      engagedByIncident: latch!.incidentId,
    });
    expect(await inbox()).toEqual([`[GuardDuty IR BRAKE RELEASED] containments resume in ${EMULATOR_REGION}`]);
  });

  it('once released, the refused incident is contained on its next delivery', async () => {
    const report = await invoke(secondEvent);
    expect(report.blockedBy).toEqual([]);
    expect(report.summary.failed).toBe(0);
    expect(Object.values(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId)))).not.toContainEqual(Object.values(groupsOfB)[0]);
    expect(await item('brake#slot#000')).toMatchObject({ incidentId: { S: report.incidentId } });
  });
});
