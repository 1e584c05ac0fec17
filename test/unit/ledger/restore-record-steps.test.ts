import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../lambda/finding/schema';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import type { Report } from '../../../lambda/plan/document';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { WITHOUT_SECURITY_HUB_NOTE, containFinding, DNS_REBIND_TYPE, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { awsError, INSTANCE_ID, isReadOnlyAction, ISOLATION_SG_A, PRIMARY_ENI, PROFILE_ARN, SECONDARY_ENI } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * contain-instance with the ledger's restore record (lambda/ledger/restore-record.ts):
 * the record of the network is written before any change, the record of the
 * rest before the containment stage, each with the originals as read; if a
 * record cannot be written, no change that needs it is made.
 */

const h = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'ledger-table';
const KEY = `restore#222222222222#us-east-1#${INSTANCE_ID}`;

beforeEach(() => {
  dynamodb.reset();
  // In the same log as the account's calls, so their order is known.
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    h.world.log.push({ command: 'dynamodb:UpdateItem', input: input as unknown as Record<string, unknown>, at: Date.now() });
    return {};
  });
});
afterAll(() => dynamodb.restore());

function run(finding: Finding = containFinding(), dryRun = false): Promise<Report> {
  guardDuty.holds(finding);
  const restoreLedger = new RestoreLedger(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), TABLE, () => NOW);
  return respond(finding, { config: enforceConfig(WITHOUT_SECURITY_HUB_NOTE), clients: h.clients, dryRun, responder: RESPONDER, now: () => NOW, restoreLedger });
}

/** The facts an UpdateItem records: attribute name → value. */
function recorded(input: Record<string, unknown>): Record<string, unknown> {
  const { ExpressionAttributeNames: names = {}, ExpressionAttributeValues: values = {} } = input as unknown as UpdateItemCommandInput;
  return Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, values[`:${alias.slice(1)}`]]));
}

const MUTATING_EC2 = (command: string) => !command.startsWith('dynamodb:') && !isReadOnlyAction(`ec2:${command}`) && !command.startsWith('Describe') && !command.startsWith('Get') && !command.startsWith('List');

describe('the restore record in the ledger', () => {
  it('is written before the first change, with the originals of each ENI and volume; the rest before the containment stage', async () => {
    h.world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService' } as never];
    h.world.targetGroups = [{ group: { TargetGroupArn: 'arn:tg/web', TargetGroupName: 'web', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 80 }] }];
    const report = await run(containFinding({ type: DNS_REBIND_TYPE }));
    expect(report.summary.failed).toBe(0);

    const log = h.world.log.map((c) => c.command);
    const writes = h.world.log.filter((c) => c.command === 'dynamodb:UpdateItem');
    expect(writes).toHaveLength(2);
    // Nothing changes before the first write; nothing of the containment stage before the second.
    const firstChange = log.findIndex(MUTATING_EC2);
    expect(log.indexOf('dynamodb:UpdateItem')).toBeLessThan(firstChange);
    const second = log.lastIndexOf('dynamodb:UpdateItem');
    for (const command of ['ModifyInstanceAttribute', 'DisassociateIamInstanceProfile', 'DetachInstances', 'DeregisterTargets', 'CreateSnapshots', 'PutRolePolicy']) {
      expect([command, log.indexOf(command) > second]).toEqual([command, true]);
    }
    expect(writes.map((w) => (w.input as unknown as UpdateItemCommandInput).Key)).toEqual([{ pk: { S: KEY } }, { pk: { S: KEY } }]);
    expect(recorded(writes[0]!.input)).toEqual({
      [`sgs:${PRIMARY_ENI}`]: { L: [{ S: 'sg-0web000000000001' }, { S: 'sg-0ssh000000000001' }] },
      [`sgs:${SECONDARY_ENI}`]: { L: [{ S: 'sg-0db0000000000001' }] },
      'volume:/dev/xvda': { M: { volumeId: { S: 'vol-0root00000000001' }, deleteOnTermination: { BOOL: true } } },
      'volume:/dev/sdf': { M: { volumeId: { S: 'vol-0data00000000001' }, deleteOnTermination: { BOOL: false } } },
    });
    expect(recorded(writes[1]!.input)).toEqual({
      instanceProfileArn: { S: PROFILE_ARN },
      autoScalingGroup: { S: 'web-asg' },
      'tg:arn:tg/web': { L: [{ N: '80' }] },
      terminationProtection: { BOOL: false },
      // The instance role's sessions are revoked: the record says so, so that a release of another resource sharing the role keeps the policy.
      'sessionPolicy:role:web-tier-role': { M: { previousDocument: { S: '<AWSRevokeOlderSessions written by contain-instance: kept while this incident is open>' } } },
    });
    expect(report.steps.find((s) => s.id === 'record-restore:network')).toMatchObject({ status: 'done', detail: `${TABLE} ${KEY}: originals recorded where not recorded before` });
  });

  it.each([
    ['throttled past every retry', awsError('ThrottlingException', 'Rate exceeded', 400), true],
    ['refused (AccessDenied)', awsError('AccessDeniedException', 'not authorized to perform dynamodb:UpdateItem', 400), false],
  ])('that cannot be written (%s) blocks every change, names itself in the report, and the invocation fails when a retry can help', async (_name, error, retryable) => {
    dynamodb.on(UpdateItemCommand).rejects(error);
    const report = await run();
    expect(h.world.log.map((c) => c.command).filter(MUTATING_EC2)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:network')).toMatchObject({
      status: 'failed',
      error: { code: error.name, retryable, message: expect.stringMatching(/^the restore record could not be written, so nothing is changed: /) },
    });
    const changes = report.steps.filter((s) => s.mutating && s.id !== 'record-restore:network');
    expect(changes.length).toBeGreaterThan(5);
    for (const step of changes) expect([step.id, step.status]).toEqual([step.id, 'skipped']);
    expect(changes.filter((s) => !s.id.startsWith('restore:')).every((s) => /^needs record-restore:/.test(s.reason ?? ''))).toBe(true);
    expect(shouldRetryInvocation(report).retry).toBe(retryable);
  });

  it('on a retry (the ENIs already on the isolation group) records no group of the responder as an original: the first record stays whole', async () => {
    h.world.instance = { ...h.world.instance!, NetworkInterfaces: h.world.instance!.NetworkInterfaces!.map((eni) => ({ ...eni, Groups: [{ GroupId: ISOLATION_SG_A }] })) };
    await run();
    const [network] = h.world.log.filter((c) => c.command === 'dynamodb:UpdateItem');
    const facts = recorded(network!.input);
    expect(Object.keys(facts).filter((name) => name.startsWith('sgs:'))).toEqual([]);
    // And whatever is written is only written where nothing is recorded yet.
    const { UpdateExpression } = network!.input as unknown as UpdateItemCommandInput;
    for (const alias of Object.keys((network!.input as unknown as UpdateItemCommandInput).ExpressionAttributeNames!).filter((a) => a.startsWith('#f'))) {
      expect(UpdateExpression).toContain(`${alias} = if_not_exists(${alias}, `);
    }
  });

  it('in dry-run is shown with what it would write, and writes nothing', async () => {
    const report = await run(containFinding(), true);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    const step = report.steps.find((s) => s.id === 'record-restore:network')!;
    expect(step).toMatchObject({ status: 'skipped', reason: 'blocked by dry-run', target: KEY });
    expect(step.parameters).toEqual({
      Key: KEY,
      record: {
        networkInterfaces: [
          { networkInterfaceId: PRIMARY_ENI, groupIds: ['sg-0web000000000001', 'sg-0ssh000000000001'] },
          { networkInterfaceId: SECONDARY_ENI, groupIds: ['sg-0db0000000000001'] },
        ],
        volumes: [
          { deviceName: '/dev/xvda', volumeId: 'vol-0root00000000001', deleteOnTermination: true },
          { deviceName: '/dev/sdf', volumeId: 'vol-0data00000000001', deleteOnTermination: false },
        ],
      },
    });
  });
});
