import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import type { ContainTaskFacts } from '../../../../lambda/playbooks/contain-task/facts';
import { offlineTaskFacts } from '../../../../lambda/playbooks/contain-task/offline-facts';
import { planContainTask } from '../../../../lambda/playbooks/contain-task/plan';
import { RECORD_TASK_ID } from '../../../../lambda/playbooks/contain-task/steps/record';
import { loadFixture } from '../../../support/fixtures';

function fixture(name: string): Finding {
  return parseFindings(loadFixture(`contain-task/${name}`))[0]!;
}

function plan(finding: Finding, facts: Partial<ContainTaskFacts> = {}) {
  return planContainTask({ finding, facts: { ...offlineTaskFacts(finding), ...facts }, config: DEFAULT_RUNTIME_CONFIG, incidentId: 'ir-0123456789abcdef', now: new Date('2026-11-21T10:50:00Z'), responder: { protectedRoleNames: [] } });
}

describe('the contain-task plan', () => {
  it('on Fargate: records, then stops the task and tags its revision, each requiring the record', () => {
    const { steps, verdicts } = plan(fixture('fargate-bitcoin-dns.event.json'));
    expect(verdicts).toEqual([]);
    expect(steps.map((s) => [s.id, s.action, s.changeClass ?? null, s.requires])).toEqual([
      [RECORD_TASK_ID, 'dynamodb:UpdateItem', null, []],
      ['stop-ecs-task', 'ecs:StopTask', 'stop-task', [RECORD_TASK_ID]],
      ['tag-ecs-task-definition', 'ecs:TagResource', 'tag-task-definition', [RECORD_TASK_ID]],
    ]);
    expect(steps[0]!.parameters).toEqual({
      Key: 'restore#222222222222#us-east-1#ecs-task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      record: {
        ecsTask: {
          taskArn: 'arn:aws:ecs:us-east-1:222222222222:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
          clusterArn: 'arn:aws:ecs:us-east-1:222222222222:cluster/checkout',
          launchType: 'FARGATE',
          lastStatus: null,
          taskDefinitionArn: 'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:3',
          containers: [{ name: 'web', image: '222222222222.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2', imageDigest: null }],
          containerInstanceArn: null,
          ec2InstanceId: null,
          taskDefinitionTags: {},
        },
      },
    });
  });

  it('on the EC2 launch type: contain-instance’s steps on the instance, no StopTask, every change after the task’s record', () => {
    const { steps } = plan(fixture('ec2-reverse-shell.raw.json'));
    expect(steps.some((s) => s.action === 'ecs:StopTask')).toBe(false);
    expect(steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute').map((s) => s.target)).toEqual(['eni-0a1b2c3d4e5f67890', 'eni-0a1b2c3d4e5f67890', 'eni-0a1b2c3d4e5f67890']);
    expect(steps.find((s) => s.id === 'record-restore:network')?.target).toBe('restore#222222222222#us-east-1#i-0a1b2c3d4e5f67890');
    const changes = steps.filter((s) => s.mutating && !s.id.startsWith('record-restore:') && s.compensates === undefined);
    expect(changes.length).toBeGreaterThan(5);
    for (const step of changes) expect([step.id, step.requires.includes(RECORD_TASK_ID)]).toEqual([step.id, true]);
    expect(steps.at(-1)?.id).toBe('tag-ecs-task-definition');
  });

  it('plans nothing and says why for a finding without an ECS task', () => {
    const finding = fixture('fargate-bitcoin-dns.event.json');
    const { steps, verdicts } = plan({ ...finding, resource: { ...finding.resource, ecsClusterDetails: null } });
    expect(steps).toEqual([]);
    expect(verdicts.map((v) => [v.id, v.blocks])).toEqual([['no-ecs-task', true]]);
  });

  it('on the EC2 launch type: every change to the shared host is of class contain-node (approve by default), as an EKS node', () => {
    const { steps } = plan(fixture('ec2-reverse-shell.raw.json'));
    const hostChanges = steps.filter((s) => s.changeClass !== undefined && s.action !== 'ecs:TagResource');
    expect(hostChanges.length).toBeGreaterThan(5);
    expect(new Set(hostChanges.map((s) => s.changeClass))).toEqual(new Set(['contain-node']));
    expect(steps.find((s) => s.action === 'ecs:TagResource')?.changeClass).toBe('tag-task-definition');
  });

  it.each([
    ['DescribeContainerInstances failed', 'DescribeContainerInstances failed (ThrottlingException: Rate exceeded)'],
    ['ECS named no EC2 instance', 'cluster checkout names no EC2 instance for the task’s container instance'],
  ])('on the EC2 launch type, when the host is not known (%s): a blocking verdict, no change at all (not a warning)', (_, why) => {
    const { steps, verdicts, warnings } = plan(fixture('ec2-reverse-shell.raw.json'), { node: { known: false, why } });
    expect(verdicts).toEqual([{ id: 'instance-unreadable', blocks: true, reason: `the EC2 instance under the task could not be read (${why}): nothing is changed without knowing the host` }]);
    expect(steps).toEqual([]);
    expect(warnings.some((w) => w.includes('NOTHING is changed'))).toBe(true);
  });
});
