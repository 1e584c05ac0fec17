import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planVpcSecurityGroups } from '../../../../../lambda/playbooks/contain-instance/steps/security-groups';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { allTrafficGroup, awsError, CREATED_ISOLATION_SG, CREATED_UNTRACK_SG, ISOLATION_SG_A, UNTRACK_SG_A, VPC_A, VPC_B } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const existing = containFacts().responderSecurityGroups;

describe('planVpcSecurityGroups', () => {
  it('reuses the groups found by tag and plans nothing for them when their rules are right', () => {
    const plan = planVpcSecurityGroups(VPC_A, existing);
    expect(plan.untrack).toEqual({ kind: 'existing', groupId: UNTRACK_SG_A });
    expect(plan.isolation).toEqual({ kind: 'existing', groupId: ISOLATION_SG_A });
    expect(plan.steps).toEqual([]);
    expect(plan.untrackReady).toEqual([]);
  });

  it('creates both groups in a VPC that has none, opens the untrack group and strips the isolation group', () => {
    const plan = planVpcSecurityGroups(VPC_B, existing);
    expect(plan.steps.map((s) => [s.id, s.action, s.stage, s.requires])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'ec2:CreateSecurityGroup', 1, []],
      [`untrack-sg-ingress:${VPC_B}`, 'ec2:AuthorizeSecurityGroupIngress', 2, [`create-untrack-sg:${VPC_B}`]],
      [`untrack-sg-egress:${VPC_B}`, 'ec2:AuthorizeSecurityGroupEgress', 2, [`create-untrack-sg:${VPC_B}`]],
      [`create-isolation-sg:${VPC_B}`, 'ec2:CreateSecurityGroup', 1, []],
      [`isolation-sg-egress:${VPC_B}`, 'ec2:RevokeSecurityGroupEgress', 2, [`create-isolation-sg:${VPC_B}`]],
    ]);
    expect(plan.steps[0]!.parameters).toEqual({
      GroupName: 'guardduty-ir-untrack',
      Description: 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation',
      VpcId: VPC_B,
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: [
            { Key: 'Name', Value: 'guardduty-ir-untrack' },
            { Key: 'ir:managed-by', Value: 'guardduty-ir' },
            { Key: 'ir:purpose', Value: 'untrack' },
          ],
        },
      ],
    });
    const ref = `<output of create-untrack-sg:${VPC_B}>`;
    expect(plan.steps[1]!.parameters).toEqual({
      GroupId: ref,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    // A new group already allows all IPv4 egress; only IPv6 is added (a duplicate rule would fail the call).
    expect(plan.steps[2]!.parameters).toEqual({ GroupId: ref, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] });
    expect(plan.steps[4]!.parameters).toEqual({
      GroupId: `<output of create-isolation-sg:${VPC_B}>`,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(plan.untrackReady).toEqual([`create-untrack-sg:${VPC_B}`, `untrack-sg-ingress:${VPC_B}`, `untrack-sg-egress:${VPC_B}`]);
  });

  it('when the groups could not be looked up, plans their creation (a duplicate is resolved when run)', () => {
    const plan = planVpcSecurityGroups(VPC_A, unknown('DescribeSecurityGroups failed (AccessDenied)'));
    expect(plan.steps.filter((s) => s.action === 'ec2:CreateSecurityGroup')).toHaveLength(2);
  });

  it('repairs a group left half-configured by an earlier run: only the missing rules are added or removed', () => {
    const plan = planVpcSecurityGroups(
      VPC_A,
      known([
        {
          groupId: UNTRACK_SG_A,
          groupName: 'guardduty-ir-untrack',
          vpcId: VPC_A,
          purpose: 'untrack',
          ingress: { allTrafficIpv4: false, allTrafficIpv6: false, otherRules: 0 },
          egress: { allTrafficIpv4: true, allTrafficIpv6: false, otherRules: 0 },
        },
        {
          groupId: ISOLATION_SG_A,
          groupName: 'guardduty-ir-isolation',
          vpcId: VPC_A,
          purpose: 'isolation',
          ingress: { allTrafficIpv4: false, allTrafficIpv6: false, otherRules: 0 },
          egress: { allTrafficIpv4: true, allTrafficIpv6: true, otherRules: 1 },
        },
      ]),
    );
    expect(plan.steps.map((s) => [s.id, s.parameters])).toEqual([
      [`untrack-sg-ingress:${VPC_A}`, { GroupId: UNTRACK_SG_A, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
      [`untrack-sg-egress:${VPC_A}`, { GroupId: UNTRACK_SG_A, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
      [`isolation-sg-egress:${VPC_A}`, { GroupId: ISOLATION_SG_A, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
    ]);
    expect(plan.steps.every((s) => s.requires.length === 0)).toBe(true);
    expect(plan.warnings).toEqual([expect.stringContaining(`Isolation security group ${ISOLATION_SG_A} in ${VPC_A} has rules besides the default egress rule`)]);
  });

  it('prefers the group with our name when several carry the tag, whatever the order they are listed in', () => {
    const all = { allTrafficIpv4: true, allTrafficIpv6: true, otherRules: 0 };
    const ours = { groupId: UNTRACK_SG_A, groupName: 'guardduty-ir-untrack', vpcId: VPC_A, purpose: 'untrack' as const, ingress: all, egress: all };
    const twin = { ...ours, groupId: 'sg-00000000000000aaa', groupName: 'copy-of-untrack' };
    const plan = planVpcSecurityGroups(VPC_A, known([twin, ours]));
    expect(plan.untrack).toEqual({ kind: 'existing', groupId: UNTRACK_SG_A });
  });
});

describe('security-group steps when run', () => {
  it('creates the groups and hands their ids to the steps that use them', async () => {
    const plan = planVpcSecurityGroups(VPC_B, existing);
    const outcomes = await executeSteps(plan.steps, h.clients);
    expect(outcomes.map((o) => [o.id, o.status, o.detail])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'done', `created ${CREATED_UNTRACK_SG}`],
      [`untrack-sg-ingress:${VPC_B}`, 'done', undefined],
      [`untrack-sg-egress:${VPC_B}`, 'done', undefined],
      [`create-isolation-sg:${VPC_B}`, 'done', `created ${CREATED_ISOLATION_SG}`],
      [`isolation-sg-egress:${VPC_B}`, 'done', undefined],
    ]);
    expect(h.callsOf('CreateSecurityGroup').map((c) => [c.GroupName, c.VpcId])).toEqual([
      ['guardduty-ir-untrack', VPC_B],
      ['guardduty-ir-isolation', VPC_B],
    ]);
    expect(h.callsOf('AuthorizeSecurityGroupIngress')).toEqual([
      { GroupId: CREATED_UNTRACK_SG, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] },
    ]);
    expect(h.callsOf('AuthorizeSecurityGroupEgress')).toEqual([{ GroupId: CREATED_UNTRACK_SG, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }]);
    expect(h.callsOf('RevokeSecurityGroupEgress')).toEqual([{ GroupId: CREATED_ISOLATION_SG, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });

  it('losing a creation race (InvalidGroup.Duplicate) looks the group up by name and reuses it', async () => {
    h.world.failures.set('CreateSecurityGroup', awsError('InvalidGroup.Duplicate', "The security group 'guardduty-ir-untrack' already exists for VPC"));
    h.world.responderGroups = [allTrafficGroup('sg-0racewinner000001', VPC_B, 'untrack'), allTrafficGroup('sg-0racewinner000002', VPC_B, 'isolation')];
    const plan = planVpcSecurityGroups(VPC_B, known([]));
    const outcomes = await executeSteps(plan.steps, h.clients);
    expect(outcomes.find((o) => o.id === `create-untrack-sg:${VPC_B}`)).toMatchObject({
      status: 'done',
      detail: 'sg-0racewinner000001 already existed (created concurrently); reused',
    });
    expect(h.callsOf('DescribeSecurityGroups')).toContainEqual({
      Filters: [
        { Name: 'vpc-id', Values: [VPC_B] },
        { Name: 'group-name', Values: ['guardduty-ir-untrack'] },
      ],
    });
    expect(h.callsOf('AuthorizeSecurityGroupIngress')[0]).toMatchObject({ GroupId: 'sg-0racewinner000001' });
    expect(h.callsOf('RevokeSecurityGroupEgress')[0]).toMatchObject({ GroupId: 'sg-0racewinner000002' });
  });

  it('a rule that already exists, or was already removed, by a concurrent response is success', async () => {
    h.world.failures.set('AuthorizeSecurityGroupIngress', awsError('InvalidPermission.Duplicate'));
    h.world.failures.set('RevokeSecurityGroupEgress', awsError('InvalidPermission.NotFound'));
    const outcomes = await executeSteps(planVpcSecurityGroups(VPC_B, known([])).steps, h.clients);
    expect(outcomes.find((o) => o.id === `untrack-sg-ingress:${VPC_B}`)).toMatchObject({ status: 'done', detail: 'the rule already exists' });
    expect(outcomes.find((o) => o.id === `isolation-sg-egress:${VPC_B}`)).toMatchObject({ status: 'done', detail: 'the rule was already removed' });
  });

  it('any other error fails the step with its code, and the steps that need the group are skipped', async () => {
    h.world.failures.set('CreateSecurityGroup', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const outcomes = await executeSteps(planVpcSecurityGroups(VPC_B, known([])).steps, h.clients);
    expect(outcomes.map((o) => [o.id, o.status, o.error?.code ?? o.reason])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'failed', 'RequestLimitExceeded'],
      [`untrack-sg-ingress:${VPC_B}`, 'skipped', `needs create-untrack-sg:${VPC_B} (failed)`],
      [`untrack-sg-egress:${VPC_B}`, 'skipped', `needs create-untrack-sg:${VPC_B} (failed)`],
      [`create-isolation-sg:${VPC_B}`, 'failed', 'RequestLimitExceeded'],
      [`isolation-sg-egress:${VPC_B}`, 'skipped', `needs create-isolation-sg:${VPC_B} (failed)`],
    ]);
    expect(h.callsOf('AuthorizeSecurityGroupIngress')).toEqual([]);
  });
});
