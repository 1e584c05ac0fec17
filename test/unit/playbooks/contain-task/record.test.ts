import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { loadFixture } from '../../../support/fixtures';

/* The task's record in the ledger: written before the first change, with the task as ECS described it; if it cannot be written, nothing is changed. */

const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const FINDING = parseFindings(loadFixture('contain-task/fargate-bitcoin-dns.event.json'))[0]!;
const CLUSTER = 'arn:aws:ecs:us-east-1:222222222222:cluster/checkout';
const TASK = 'arn:aws:ecs:us-east-1:222222222222:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const DEFINITION = 'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:3';
const DIGEST = `sha256:${'ef'.repeat(32)}`;
const order: string[] = [];

beforeEach(() => {
  for (const mock of [ecs, iam, sns, dynamodb]) mock.reset();
  order.length = 0;
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  sns.onAnyCommand().resolves({});
  ecs.on(DescribeTasksCommand).resolves({
    tasks: [{ taskArn: TASK, clusterArn: CLUSTER, launchType: 'FARGATE', lastStatus: 'RUNNING', taskDefinitionArn: DEFINITION, containers: [{ name: 'web', image: 'nginx:1.27', imageDigest: DIGEST }] }],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: DEFINITION }, tags: [{ key: 'ir:suspect', value: 'true' }, { key: 'team', value: 'shop' }] });
  ecs.on(StopTaskCommand).callsFake(() => {
    order.push('StopTask');
    return {};
  });
  ecs.on(TagResourceCommand).callsFake(() => {
    order.push('TagResource');
    return {};
  });
});

function run() {
  guardDuty.holds(FINDING);
  const restoreLedger = new RestoreLedger(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), 'ledger-table', () => new Date('2026-11-21T10:50:00.000Z'));
  return respond(FINDING, { config: ENFORCE, clients, dryRun: false, responder: { protectedRoleNames: [] }, now: () => new Date('2026-11-21T10:50:00.000Z'), restoreLedger });
}

describe('the task’s record in the ledger', () => {
  it('is written first, keyed by account, region, cluster and task, with the task, its digests and the suspect tags the revision already had', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      order.push(`UpdateItem ${input.Key?.pk?.S}`);
      return {};
    });
    await run();
    const writes = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter((i) => i.Key?.pk?.S?.startsWith('restore#'));
    expect(writes.map((w) => w.Key)).toEqual([{ pk: { S: 'restore#222222222222#us-east-1#ecs-task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0' } }]);
    const names = writes[0]!.ExpressionAttributeNames!;
    const alias = Object.entries(names).find(([, name]) => name === 'ecsTask')![0];
    expect(JSON.parse(writes[0]!.ExpressionAttributeValues![`:${alias.slice(1)}`]!.S!)).toEqual({
      taskArn: TASK,
      clusterArn: CLUSTER,
      launchType: 'FARGATE',
      lastStatus: 'RUNNING',
      taskDefinitionArn: DEFINITION,
      containers: [{ name: 'web', image: 'nginx:1.27', imageDigest: DIGEST }],
      containerInstanceArn: null,
      ec2InstanceId: null,
      taskDefinitionTags: { 'ir:suspect': 'true' },
    });
    const changes = order.filter((o) => !o.startsWith('UpdateItem') || o.includes('ecs-task'));
    expect(changes[0]).toBe('UpdateItem restore#222222222222#us-east-1#ecs-task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(changes.slice(1).sort()).toEqual(['StopTask', 'TagResource']);
  });

  it('stops every change when it cannot be written', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    const report = await run();
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    expect(ecs.commandCalls(TagResourceCommand)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:ecs-task')?.status).toBe('failed');
    expect(report.steps.find((s) => s.id === 'stop-ecs-task')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^needs /) });
  });
});
