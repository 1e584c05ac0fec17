import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { discoverInstance } from '../../../../lambda/playbooks/contain-instance/discover';
import { ReadLog } from '../../../../lambda/plan/reads';
import { containFacts } from '../../../support/aws-mocks/contain-facts';
import { containFinding, FINDING_ID } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import { ASSOCIATION_ID, awsError, INSTANCE_ID, OTHER_PROFILE_ARN, PROFILE_ARN, UNRELATED_INSTANCE_ID } from '../../../support/aws-mocks/contain-world';

const h = useContainHarness();

const SHARERS_REQUEST = { Filters: [{ Name: 'state', Values: ['associating', 'associated'] }], MaxResults: 1000 };

async function discover(finding = containFinding()) {
  const reads = new ReadLog();
  const facts = await discoverInstance(finding, h.clients, reads);
  return { facts, reads: reads.outcomes };
}

describe('discoverInstance', () => {
  it('reads the instance and everything around it with these exact requests', async () => {
    await discover();
    expect(h.callsOf('DescribeInstances')).toEqual([{ InstanceIds: [INSTANCE_ID] }]);
    expect(h.callsOf('DescribeSecurityGroups')).toEqual([
      {
        Filters: [
          { Name: 'tag:ir:managed-by', Values: ['guardduty-ir'] },
          { Name: 'tag:ir:purpose', Values: ['untrack', 'isolation'] },
        ],
      },
    ]);
    expect(h.callsOf('DescribeAutoScalingInstances')).toEqual([{ InstanceIds: [INSTANCE_ID] }]);
    // Termination protection as it was, for the restore record: DescribeInstances does not say.
    expect(h.callsOf('DescribeInstanceAttribute')).toEqual([{ InstanceId: INSTANCE_ID, Attribute: 'disableApiTermination' }]);
    expect(h.callsOf('DescribeTargetGroups')).toEqual([{}]);
    expect(h.callsOf('DescribeSnapshots')).toEqual([{ OwnerIds: ['self'], Filters: [{ Name: 'tag:ir:finding-id', Values: [FINDING_ID] }] }]);
    // The instance's own association, then every live association in the region (who else holds the profile).
    expect(h.callsOf('DescribeIamInstanceProfileAssociations')).toEqual([
      {
        Filters: [
          { Name: 'instance-id', Values: [INSTANCE_ID] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      },
      SHARERS_REQUEST,
    ]);
    expect(h.callsOf('GetInstanceProfile')).toEqual([{ InstanceProfileName: 'web-tier' }]);
  });

  it('turns the answers into facts: ENIs in device order with their groups, volumes, tags, profile, groups by tag', async () => {
    const { facts, reads } = await discover();
    expect(facts).toEqual(containFacts());
    expect(reads.map((r) => [r.action, r.status])).toEqual(expect.arrayContaining([['ec2:DescribeInstances', 'done']]));
    expect(reads).toHaveLength(9);
  });

  it('finds Auto Scaling and target-group membership, other users of the profile, and earlier snapshots', async () => {
    h.world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService' } as never];
    h.world.targetGroups = [{ group: { TargetGroupArn: 'arn:tg/web', TargetGroupName: 'web' }, targets: [{ Id: INSTANCE_ID, Port: 8080 }, { Id: INSTANCE_ID, Port: 80 }] }];
    h.world.profileSharers = ['i-0other000000000001'];
    h.world.snapshotIds = ['snap-2', 'snap-1'];
    const { facts } = await discover();
    expect(facts.autoScaling).toEqual({ known: true, value: { groupName: 'web-asg', lifecycleState: 'InService' } });
    expect(facts.targetGroups).toEqual({ known: true, value: [{ targetGroupArn: 'arn:tg/web', targetGroupName: 'web', ports: [80, 8080] }] });
    // Neither the instance itself nor UNRELATED_INSTANCE_ID (associated with another profile) is a sharer.
    expect(facts.instanceProfile?.sharedWith).toEqual({ known: true, value: ['i-0other000000000001'] });
    expect(facts.evidenceSnapshots).toEqual({ known: true, value: ['snap-1', 'snap-2'] });
    expect(facts.profileAssociationId).toEqual({ known: true, value: ASSOCIATION_ID });
  });

  it('follows target-group pages', async () => {
    h.mocks.elbv2
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({ TargetGroups: [{ TargetGroupArn: 'arn:tg/1' }], NextMarker: 'page-2' })
      .resolvesOnce({ TargetGroups: [{ TargetGroupArn: 'arn:tg/2' }] });
    await discover();
    expect(h.callsOf('DescribeTargetGroups')).toEqual([{}, { Marker: 'page-2' }]);
    expect(h.callsOf('DescribeTargetHealth')).toEqual([{ TargetGroupArn: 'arn:tg/1' }, { TargetGroupArn: 'arn:tg/2' }]);
  });

  it('follows profile-association pages, and names each sharer once, sorted', async () => {
    const association = (InstanceId: string, Arn: string) => ({ InstanceId, IamInstanceProfile: { Arn }, State: 'associated' as const });
    h.mocks.ec2
      .on(DescribeIamInstanceProfileAssociationsCommand, { MaxResults: 1000 })
      .resolvesOnce({
        IamInstanceProfileAssociations: [association('i-0other000000000002', PROFILE_ARN), association(INSTANCE_ID, PROFILE_ARN), association(UNRELATED_INSTANCE_ID, OTHER_PROFILE_ARN)],
        NextToken: 'page-2',
      })
      .resolvesOnce({ IamInstanceProfileAssociations: [association('i-0other000000000001', PROFILE_ARN), association('i-0other000000000002', PROFILE_ARN)] });
    const { facts } = await discover();
    expect(h.callsOf('DescribeIamInstanceProfileAssociations').filter((input) => 'MaxResults' in input)).toEqual([SHARERS_REQUEST, { ...SHARERS_REQUEST, NextToken: 'page-2' }]);
    expect(facts.instanceProfile?.sharedWith).toEqual({ known: true, value: ['i-0other000000000001', 'i-0other000000000002'] });
  });

  it('an unreadable association listing makes the sharers unknown, and leaves the own association read alone', async () => {
    h.world.profileSharers = ['i-0other000000000001'];
    h.world.failures.set('DescribeIamInstanceProfileAssociations', (input) => ('MaxResults' in input ? awsError('UnauthorizedOperation', 'not allowed', 403) : undefined));
    const { facts, reads } = await discover();
    expect(facts.instanceProfile?.sharedWith).toEqual({ known: false, why: 'DescribeIamInstanceProfileAssociations failed (UnauthorizedOperation)' });
    expect(facts.profileAssociationId).toEqual({ known: true, value: ASSOCIATION_ID });
    expect(reads.filter((r) => r.status === 'failed').map((r) => [r.id, r.action, r.error?.code])).toEqual([
      [`read:find-instances-sharing-profile:${PROFILE_ARN}`, 'ec2:DescribeIamInstanceProfileAssociations', 'UnauthorizedOperation'],
    ]);
  });

  it('a failed read makes its part unknown, with the AWS code, and is kept in the read log', async () => {
    h.world.failures.set('DescribeAutoScalingInstances', awsError('AccessDenied'));
    h.world.failures.set('DescribeSnapshots', awsError('RequestLimitExceeded', 'slow down', 503));
    h.world.failures.set('GetInstanceProfile', awsError('NoSuchEntity'));
    h.world.failures.set('DescribeSecurityGroups', awsError('UnauthorizedOperation'));
    const { facts, reads } = await discover();
    expect(facts.autoScaling).toEqual({ known: false, why: 'DescribeAutoScalingInstances failed (AccessDenied)' });
    expect(facts.evidenceSnapshots).toEqual({ known: false, why: 'DescribeSnapshots failed (RequestLimitExceeded)' });
    expect(facts.instanceProfile?.role).toEqual({ known: false, why: 'GetInstanceProfile failed (NoSuchEntity)' });
    expect(facts.responderSecurityGroups).toEqual({ known: false, why: 'DescribeSecurityGroups failed (UnauthorizedOperation)' });
    expect(reads.filter((r) => r.status === 'failed').map((r) => [r.action, r.error?.code])).toEqual(
      expect.arrayContaining([
        ['autoscaling:DescribeAutoScalingInstances', 'AccessDenied'],
        ['ec2:DescribeSnapshots', 'RequestLimitExceeded'],
        ['iam:GetInstanceProfile', 'NoSuchEntity'],
        ['ec2:DescribeSecurityGroups', 'UnauthorizedOperation'],
      ]),
    );
  });

  it('one unreadable target group does not hide the others', async () => {
    h.world.targetGroups = [
      { group: { TargetGroupArn: 'arn:tg/locked', TargetGroupName: 'locked' }, targets: [] },
      { group: { TargetGroupArn: 'arn:tg/web', TargetGroupName: 'web' }, targets: [{ Id: INSTANCE_ID, Port: 80 }] },
    ];
    h.world.failures.set('DescribeTargetHealth', (input) => (input.TargetGroupArn === 'arn:tg/locked' ? awsError('AccessDenied') : undefined));
    const { facts } = await discover();
    expect(facts.targetGroups).toEqual({ known: true, value: [{ targetGroupArn: 'arn:tg/web', targetGroupName: 'web', ports: [80] }] });
    expect(facts.unreadTargetGroups).toEqual([{ targetGroupArn: 'arn:tg/locked', code: 'AccessDenied' }]);
  });

  it('tells "does not exist" from "could not read"', async () => {
    h.world.failures.set('DescribeInstances', awsError('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));
    expect((await discover()).facts.lookup).toEqual({
      status: 'not-found',
      detail: `InvalidInstanceID.NotFound: The instance ID '${INSTANCE_ID}' does not exist`,
    });
    h.world.failures.set('DescribeInstances', awsError('UnauthorizedOperation', 'not allowed', 403));
    expect((await discover()).facts.lookup).toEqual({
      status: 'unreadable',
      error: { code: 'UnauthorizedOperation', message: 'not allowed', retryable: false },
    });
  });

  it('without a profile, reads neither the role nor its other users', async () => {
    h.world.instance = { ...h.world.instance!, IamInstanceProfile: undefined };
    const { facts } = await discover();
    expect(facts.instanceProfile).toBeNull();
    expect(h.callsOf('GetInstanceProfile')).toEqual([]);
    // Only the instance's own association is looked up (to learn it has none), not the region's.
    expect(h.callsOf('DescribeIamInstanceProfileAssociations')).toEqual([
      {
        Filters: [
          { Name: 'instance-id', Values: [INSTANCE_ID] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      },
    ]);
  });

  it('a finding without an instance id reads nothing, and keeps the finding tags for the exempt-tag guard', async () => {
    const { facts } = await discover(containFinding({ instanceId: null, tags: { 'ir:exempt': 'yes' } }));
    expect(h.calls()).toEqual([]);
    expect(facts.lookup).toEqual({ status: 'missing-id' });
    expect(facts.tags).toEqual({ 'ir:exempt': 'yes' });
  });
});
