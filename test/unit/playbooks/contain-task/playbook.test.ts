import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report } from '../../../../lambda/plan/document';
import { answerOf } from '../../../../lambda/ledger/answered';
import { respond } from '../../../../lambda/respond/respond';
import { shouldFailInvocation } from '../../../../lambda/runtime/retry-policy';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { loadFixture } from '../../../support/fixtures';

/*
 * contain-task end to end through respond(), with ECS mocked: the exact
 * requests sent, what is refused before any call, and what a dry-run leaves.
 * The EC2 launch type's containment is contain-instance's own (its tests);
 * here only that it is reached through the verified container instance.
 */

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();

const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const ACCOUNT = '222222222222';
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/checkout`;
const TASK = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const TASK_DEFINITION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/checkout:3`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function fixture(name: string): Finding {
  const [finding] = parseFindings(loadFixture(`contain-task/${name}`));
  return finding!;
}

const FARGATE = fixture('fargate-bitcoin-dns.event.json');
const EC2_TASK = fixture('ec2-reverse-shell.raw.json');

function withTaskArn(finding: Finding, taskArn: string, clusterArn = CLUSTER): Finding {
  const details = finding.resource!.ecsClusterDetails!;
  return { ...finding, resource: { ...finding.resource, ecsClusterDetails: { ...details, arn: clusterArn, taskDetails: { ...details.taskDetails, arn: taskArn } } } };
}

function givenTask(overrides: Record<string, unknown> = {}): void {
  ecs.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: TASK,
        clusterArn: CLUSTER,
        launchType: 'FARGATE',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        group: 'service:checkout',
        taskDefinitionArn: TASK_DEFINITION,
        containers: [{ name: 'web', image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2`, imageDigest: DIGEST, runtimeId: 'abc-123' }],
        tags: [{ key: 'team', value: 'payments' }],
        ...overrides,
      },
    ],
    failures: [],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { taskDefinitionArn: TASK_DEFINITION, containerDefinitions: [{ name: 'web', image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2` }] },
    tags: [],
  });
  ecs.on(StopTaskCommand).resolves({ task: { taskArn: TASK, desiredStatus: 'STOPPED' } });
  ecs.on(TagResourceCommand).resolves({});
}

function run(finding: Finding, dryRun = false): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, { config: ENFORCE, clients, dryRun, responder: { protectedRoleNames: [] }, now: () => new Date('2026-11-21T10:50:00.000Z') });
}

const statuses = (report: Report) => report.steps.map((s) => [s.id, s.status]);

beforeEach(() => {
  for (const mock of [ecs, ec2, iam, sns]) mock.reset();
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  sns.onAnyCommand().resolves({});
});

describe('contain-task on a Fargate task', () => {
  it('reads the task and its task definition, records them, stops the task and tags its revision, with these exact requests', async () => {
    givenTask();
    const report = await run(FARGATE);
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, tasks: [TASK], include: ['TAGS'] }]);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand).map((c) => c.args[0].input)).toEqual([{ taskDefinition: TASK_DEFINITION, include: ['TAGS'] }]);
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, task: TASK, reason: `GuardDuty incident response: incident ${report.incidentId}, finding CryptoCurrency:Runtime/BitcoinTool.B!DNS` },
    ]);
    expect(ecs.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      {
        resourceArn: TASK_DEFINITION,
        tags: [
          { key: 'ir:suspect', value: 'true' },
          { key: 'ir:incident-id', value: report.incidentId },
          { key: 'ir:finding-id', value: FARGATE.id },
          // & and ! are not tag characters: replaced, so the tag is accepted.
          { key: 'ir:finding-type', value: 'CryptoCurrency:Runtime/BitcoinTool.B_DNS' },
        ],
      },
    ]);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand)).toEqual([]);
    expect(ec2.calls()).toEqual([]);
    expect(statuses(report).filter(([id]) => id !== 'notify' && id !== 'evidence')).toEqual([
      ['record-restore:ecs-task', 'done'],
      ['stop-ecs-task', 'done'],
      ['tag-ecs-task-definition', 'done'],
    ]);
    expect(report.resource).toMatchObject({ launchType: 'FARGATE', taskDefinition: TASK_DEFINITION, images: [{ name: 'web', imageDigest: DIGEST }] });
    expect(report.warnings.some((w) => w.includes('service:checkout'))).toBe(true);
  });

  it('plans the same steps in a dry-run and makes no change', async () => {
    givenTask();
    const report = await run(FARGATE, true);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    expect(ecs.commandCalls(TagResourceCommand)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'stop-ecs-task')).toMatchObject({ status: 'skipped', parameters: { cluster: CLUSTER, task: TASK } });
  });

  it('does not stop a task already stopped, and still tags its revision', async () => {
    givenTask({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    const report = await run(FARGATE);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    expect(ecs.commandCalls(TagResourceCommand)).toHaveLength(1);
    expect(report.warnings.some((w) => w.includes('already STOPPED'))).toBe(true);
  });

  it.each([
    ['another account', `arn:aws:ecs:us-east-1:333333333333:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0`, CLUSTER],
    ['another region', `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0`, CLUSTER],
    ['another cluster than the finding names', `arn:aws:ecs:us-east-1:${ACCOUNT}:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0`, CLUSTER],
    ['a cluster of another account', TASK, 'arn:aws:ecs:us-east-1:333333333333:cluster/checkout'],
    ['not a task at all', `arn:aws:ecs:us-east-1:${ACCOUNT}:service/checkout/web`, CLUSTER],
  ])('refuses a task ARN of %s before any ECS call', async (_, taskArn, clusterArn) => {
    givenTask();
    const report = await run(withTaskArn(FARGATE, taskArn, clusterArn));
    expect(ecs.calls()).toEqual([]);
    expect(report.blockedBy).toContain('ecs-arn-mismatch');
    expect(report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
  });

  it('changes nothing when ECS answers about a task of another cluster', async () => {
    givenTask({ clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/other` });
    const report = await run(FARGATE);
    expect(report.blockedBy).toEqual(['ecs-task-not-found']);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    expect(ecs.commandCalls(TagResourceCommand)).toEqual([]);
  });

  it('fails closed when the task cannot be read', async () => {
    ecs.on(DescribeTasksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const report = await run(FARGATE);
    expect(report.blockedBy).toEqual(['ecs-task-unreadable']);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  it('is refused by the exempt tag on the task', async () => {
    givenTask({ tags: [{ key: 'ir:exempt', value: 'honeypot' }] });
    const report = await run(FARGATE);
    expect(report.blockedBy).toContain('exempt-tag');
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });
});

describe('contain-task on the EC2 launch type', () => {
  const EC2_CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/batch`;
  const EC2_TASK_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/batch/1a2b3c4d5e6f708192a3b4c5d6e7f809`;
  const INSTANCE_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/batch/0123456789abcdef0123456789abcdef`;
  const EC2_DEFINITION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/batch-worker:7`;

  function givenEc2Task(containerInstanceArn: string, ec2InstanceId: string): void {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: EC2_TASK_ARN, clusterArn: EC2_CLUSTER, launchType: 'EC2', lastStatus: 'RUNNING', taskDefinitionArn: EC2_DEFINITION, containerInstanceArn, containers: [] }],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: EC2_DEFINITION }, tags: [] });
    ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn, ec2InstanceId }] });
    ec2.onAnyCommand().resolves({});
  }

  it('asks the task’s own cluster for its container instance and reads that EC2 instance, never stopping the task', async () => {
    givenEc2Task(INSTANCE_ARN, 'i-0a1b2c3d4e5f67890');
    await run(EC2_TASK, true);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input)).toEqual([{ cluster: EC2_CLUSTER, containerInstances: [INSTANCE_ARN] }]);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-0a1b2c3d4e5f67890'] }]);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  it.each([
    ['of another cluster', `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/other/0123456789abcdef0123456789abcdef`, 'i-0a1b2c3d4e5f67890'],
    ['of another account', `arn:aws:ecs:us-east-1:333333333333:container-instance/batch/0123456789abcdef0123456789abcdef`, 'i-0a1b2c3d4e5f67890'],
    ['naming no well-formed instance id', INSTANCE_ARN, 'i-../../x'],
  ])('contains no instance for a container instance %s, changes nothing else either, and leaves the incident open', async (_, containerInstanceArn, instanceId) => {
    givenEc2Task(containerInstanceArn, instanceId);
    const report = await run(EC2_TASK);
    expect(ec2.calls()).toEqual([]);
    expect(report.blockedBy).toContain('instance-unreadable');
    expect(report.warnings.some((w) => w.includes('NOTHING is changed'))).toBe(true);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    // Not even the suspect tag: a response that leaves the host uncontained must not look answered.
    expect(ecs.commandCalls(TagResourceCommand)).toEqual([]);
    expect(answerOf(report)).toMatchObject({ answered: false });
  });

  it('keeps a throttled DescribeContainerInstances a blocking verdict: nothing changed, the incident open, the invocation failed so Lambda retries', async () => {
    givenEc2Task(INSTANCE_ARN, 'i-0a1b2c3d4e5f67890');
    ecs.on(DescribeContainerInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const report = await run(EC2_TASK);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input)).toEqual([{ cluster: EC2_CLUSTER, containerInstances: [INSTANCE_ARN] }]);
    expect(ec2.calls()).toEqual([]);
    expect(report.blockedBy).toContain('instance-unreadable');
    expect(ecs.commandCalls(TagResourceCommand)).toEqual([]);
    expect(answerOf(report)).toMatchObject({ answered: false });
    expect(shouldFailInvocation(report)).toMatchObject({ retry: true });
  });
});
