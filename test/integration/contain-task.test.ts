import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES } from '../../lambda/approval/schema';
import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { newFindingId } from './support/findings';
import { ENFORCE_CONFIG, failedSteps, runPlaybook } from './support/run-playbook';
import { loadFixture } from '../support/fixtures';

/*
 * contain-task against the emulator: moto implements ECS clusters, task
 * definitions, RunTask (Fargate, and EC2 on a registered container
 * instance), DescribeTasks, DescribeTaskDefinition, DescribeContainerInstances,
 * StopTask and TagResource. Assertions read ECS and EC2 back from moto.
 * What moto does not give: image digests (it resolves no image), so the
 * recorded digest is null here (the unit tests cover a real one); and an
 * awsvpc task (its RunTask fails inside moto), so the "Fargate" task here
 * runs in bridge mode, which changes nothing contain-task reads or sends.
 */

let account: EmulatedAccount;

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`moto returned no ${what}`);
  return value;
}

/** The fixture finding, naming the task moto started, in the seeded account and region. */
function taskFinding(fixture: string, cluster: { arn: string; name: string }, taskArn: string, definitionArn: string, launchType: string): Finding {
  const raw = structuredClone(loadFixture(`contain-task/${fixture}`)) as { detail?: Record<string, unknown> } & Record<string, unknown>;
  const detail = (raw.detail ?? raw) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test edits a fixture's JSON
  const id = newFindingId();
  Object.assign(detail, { id, accountId: account.seed.accountId, region: account.seed.region, arn: `arn:aws:guardduty:${account.seed.region}:${account.seed.accountId}:detector/d/finding/${id}` });
  detail.resource.ecsClusterDetails.arn = cluster.arn;
  detail.resource.ecsClusterDetails.name = cluster.name;
  Object.assign(detail.resource.ecsClusterDetails.taskDetails, { arn: taskArn, definitionArn, launchType });
  delete detail.resource.instanceDetails;
  return parseFindings(raw)[0]!;
}

async function startTask(clusterName: string, family: string, launchType: 'FARGATE' | 'EC2'): Promise<{ cluster: { arn: string; name: string }; taskArn: string; definitionArn: string }> {
  const ecs = account.clients.ecs;
  const cluster = await ecs.send(new CreateClusterCommand({ clusterName }));
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      // Real Fargate needs awsvpc; moto 5.2 crashes starting an awsvpc task (AttributeError on the ENI's private_dns_name), and does not hold a bridge-mode task to its compatibilities.
      networkMode: 'bridge',
      containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/docker/library/nginx:1.27', essential: true, memory: 256 }],
    }),
  );
  const run = await ecs.send(new RunTaskCommand({ cluster: clusterName, taskDefinition: required(definition.taskDefinition?.taskDefinitionArn, 'task definition'), launchType, count: 1 }));
  return {
    cluster: { arn: required(cluster.cluster?.clusterArn, 'cluster ARN'), name: clusterName },
    taskArn: required(run.tasks?.[0]?.taskArn, 'task ARN'),
    definitionArn: required(definition.taskDefinition?.taskDefinitionArn, 'task definition ARN'),
  };
}

async function taskDefinitionTags(arn: string): Promise<Record<string, string>> {
  const answer = await account.clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  return Object.fromEntries((answer.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

async function taskStatus(clusterArn: string, taskArn: string): Promise<{ desired?: string; reason?: string }> {
  const answer = await account.clients.ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: [taskArn] }));
  const task = answer.tasks?.[0];
  return { ...(task?.desiredStatus ? { desired: task.desiredStatus } : {}), ...(task?.stoppedReason ? { reason: task.stoppedReason } : {}) };
}

beforeAll(async () => {
  account = await freshSeededAccount();
});

describe('a compromised Fargate task', () => {
  let report: Report;
  let started: Awaited<ReturnType<typeof startTask>>;

  beforeAll(async () => {
    started = await startTask('checkout', 'checkout', 'FARGATE');
    report = await runPlaybook(account, taskFinding('fargate-bitcoin-dns.event.json', started.cluster, started.taskArn, started.definitionArn, 'FARGATE'));
  });

  it('runs contain-task with no failed step: record, stop, tag', () => {
    expect(failedSteps(report)).toEqual([]);
    expect(report.playbook).toBe('contain-task');
    expect(report.steps.filter((s) => s.mutating && !['notify', 'evidence', 'securityhub:note'].includes(s.id)).map((s) => [s.id, s.status])).toEqual([
      ['record-restore:ecs-task', 'done'],
      ['stop-ecs-task', 'done'],
      ['tag-ecs-task-definition', 'done'],
    ]);
    expect(report.reads.filter((r) => r.action.startsWith('ecs:')).map((r) => [r.action, r.target, r.status])).toEqual([
      ['ecs:DescribeTasks', started.taskArn, 'done'],
      ['ecs:DescribeTaskDefinition', started.definitionArn, 'done'],
    ]);
  });

  it('leaves the task stopped in ECS, with the incident as the reason', async () => {
    expect(await taskStatus(started.cluster.arn, started.taskArn)).toEqual({
      desired: 'STOPPED',
      reason: `GuardDuty incident response: incident ${report.incidentId}, finding CryptoCurrency:Runtime/BitcoinTool.B!DNS`,
    });
  });

  it('leaves the task definition revision tagged suspect, with the incident', async () => {
    expect(await taskDefinitionTags(started.definitionArn)).toEqual({
      'ir:suspect': 'true',
      'ir:incident-id': report.incidentId,
      'ir:finding-id': report.findingId,
      'ir:finding-type': 'CryptoCurrency:Runtime/BitcoinTool.B_DNS',
    });
  });

  it('reports the task, its revision and its images', () => {
    expect(report.resource).toMatchObject({
      cluster: started.cluster.arn,
      task: started.taskArn,
      launchType: 'FARGATE',
      taskDefinition: started.definitionArn,
      images: [{ name: 'web', image: 'public.ecr.aws/docker/library/nginx:1.27' }],
    });
  });
});

describe('a compromised task on the EC2 launch type', () => {
  let report: Report;
  let started: Awaited<ReturnType<typeof startTask>>;

  beforeAll(async () => {
    const { instanceId } = account.seed.instanceB;
    await account.clients.ecs.send(new CreateClusterCommand({ clusterName: 'batch' }));
    await account.clients.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'batch',
        instanceIdentityDocument: JSON.stringify({ instanceId, region: account.seed.region, accountId: account.seed.accountId }),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
        ],
      }),
    );
    started = await startTask('batch', 'batch-worker', 'EC2');
    // The host is shared by every task on it: its containment is of class contain-node, approve by default
    // (test/unit/approval/plan-change-classes.test.ts); here the policy makes it auto.
    const config = { ...ENFORCE_CONFIG, approval: { defaults: { 'contain-node': 'auto' as const }, rules: [], timeoutMinutes: DEFAULT_APPROVAL_TIMEOUT_MINUTES, onTimeout: 'stand-down' as const, escalateMinutesBefore: 15 } };
    report = await runPlaybook(account, taskFinding('ec2-reverse-shell.raw.json', started.cluster, started.taskArn, started.definitionArn, 'EC2'), { config });
  });

  it('contains the EC2 instance under the task with contain-instance’s steps, and does not stop the task', async () => {
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.some((s) => s.id === 'stop-ecs-task')).toBe(false);
    expect(report.reads.find((r) => r.action === 'ecs:DescribeContainerInstances')?.status).toBe('done');
    expect(await taskStatus(started.cluster.arn, started.taskArn)).toEqual({ desired: 'RUNNING' });
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId);
    const vpcId = required(instance.VpcId, 'VPC id');
    const [isolation] = await responderGroups(account.clients.ec2, vpcId, 'isolation');
    const isolated = Object.fromEntries(account.seed.instanceB.networkInterfaces.map((eni) => [eni.networkInterfaceId, [required(isolation?.GroupId, 'isolation group')]]));
    expect(groupsByEni(instance)).toEqual(isolated);
  });

  it('still tags the revision suspect', async () => {
    expect((await taskDefinitionTags(started.definitionArn))['ir:suspect']).toBe('true');
  });
});
