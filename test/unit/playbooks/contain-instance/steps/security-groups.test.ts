import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { responderGroupOf } from '../../../../../lambda/playbooks/contain-instance/discovery/read-security-groups';
import { known, unknown, type ResponderSecurityGroup } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planVpcSecurityGroups } from '../../../../../lambda/playbooks/contain-instance/steps/security-groups';
import { containFacts, responderGroupFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { awsError, CREATED_ISOLATION_SG, CREATED_UNTRACK_SG, ISOLATION_SG_A, responderGroup, UNTRACK_SG_A, VPC_A, VPC_B } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const existing = containFacts().responderSecurityGroups;
const ALL_TRAFFIC = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
const UNTRACK_NAME = /^guardduty-ir-untrack-[0-9a-f]{8}$/;
const ISOLATION_NAME = /^guardduty-ir-isolation-[0-9a-f]{8}$/;

function factsOf(group: SecurityGroup): ResponderSecurityGroup {
  const facts = responderGroupOf(group);
  if (!facts) throw new Error('not a responder group');
  return facts;
}

/** Every group id a planned step would change. */
function changedGroups(plan: ReturnType<typeof planVpcSecurityGroups>): unknown[] {
  return plan.steps.filter((s) => s.action !== 'ec2:CreateSecurityGroup').map((s) => s.parameters.GroupId);
}

describe('planVpcSecurityGroups', () => {
  it('uses the verified groups found by tag as they are, and plans nothing for them', () => {
    const plan = planVpcSecurityGroups(VPC_A, existing);
    expect(plan.untrack).toEqual({ kind: 'existing', groupId: UNTRACK_SG_A });
    expect(plan.isolation).toEqual({ kind: 'existing', groupId: ISOLATION_SG_A });
    expect(plan.steps).toEqual([]);
    expect(plan.untrackReady).toEqual([]);
    expect(plan.isolationReady).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect([...plan.isolatedOn]).toEqual([ISOLATION_SG_A]);
  });

  it('accepts a group this version created (name with a random suffix) as well as one of an earlier version', () => {
    const plan = planVpcSecurityGroups(
      VPC_A,
      known([responderGroupFacts('sg-0aaa', VPC_A, 'untrack', 'guardduty-ir-untrack-0a1b2c3d'), responderGroupFacts('sg-0bbb', VPC_A, 'isolation', 'guardduty-ir-isolation-0a1b2c3d')]),
    );
    expect([plan.untrack, plan.isolation]).toEqual([
      { kind: 'existing', groupId: 'sg-0aaa' },
      { kind: 'existing', groupId: 'sg-0bbb' },
    ]);
    expect(plan.steps).toEqual([]);
  });

  it('creates both groups under fresh names in a VPC that has none, and configures only the groups it creates', () => {
    const plan = planVpcSecurityGroups(VPC_B, existing);
    expect(plan.steps.map((s) => [s.id, s.action, s.stage, s.requires])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'ec2:CreateSecurityGroup', 1, []],
      [`untrack-sg-ingress:${VPC_B}`, 'ec2:AuthorizeSecurityGroupIngress', 2, [`create-untrack-sg:${VPC_B}`]],
      [`untrack-sg-egress:${VPC_B}`, 'ec2:AuthorizeSecurityGroupEgress', 2, [`create-untrack-sg:${VPC_B}`]],
      [`create-isolation-sg:${VPC_B}`, 'ec2:CreateSecurityGroup', 1, []],
      [`isolation-sg-egress:${VPC_B}`, 'ec2:RevokeSecurityGroupEgress', 2, [`create-isolation-sg:${VPC_B}`]],
    ]);
    expect(plan.steps[0]!.parameters).toEqual({
      GroupName: '<guardduty-ir-untrack-{8 random hex digits}>',
      Description: 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation',
      VpcId: VPC_B,
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: [
            { Key: 'Name', Value: '<guardduty-ir-untrack-{8 random hex digits}>' },
            { Key: 'ir:managed-by', Value: 'guardduty-ir' },
            { Key: 'ir:purpose', Value: 'untrack' },
          ],
        },
      ],
    });
    const ref = `<output of create-untrack-sg:${VPC_B}>`;
    expect(plan.steps[1]!.parameters).toEqual({ GroupId: ref, IpPermissions: [ALL_TRAFFIC] });
    // A new group already allows all IPv4 egress; only IPv6 is added (a duplicate rule would fail the call).
    expect(plan.steps[2]!.parameters).toEqual({ GroupId: ref, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] });
    expect(plan.steps[4]!.parameters).toEqual({
      GroupId: `<output of create-isolation-sg:${VPC_B}>`,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(plan.untrackReady).toEqual([`create-untrack-sg:${VPC_B}`, `untrack-sg-ingress:${VPC_B}`, `untrack-sg-egress:${VPC_B}`]);
    expect(plan.isolationReady).toEqual([`create-isolation-sg:${VPC_B}`, `isolation-sg-egress:${VPC_B}`]);
  });

  it('when the groups could not be read: a fresh isolation group only, no untrack group at all, and a warning', () => {
    const plan = planVpcSecurityGroups(VPC_A, unknown('DescribeSecurityGroups failed (RequestLimitExceeded)'));
    expect(plan.untrack).toBeNull();
    expect(plan.steps.map((s) => s.id)).toEqual([`create-isolation-sg:${VPC_A}`, `isolation-sg-egress:${VPC_A}`]);
    expect(plan.steps[0]!.why).toBe("the responder's groups could not be read (DescribeSecurityGroups failed (RequestLimitExceeded)), so none can be verified");
    expect(plan.warnings).toEqual([expect.stringContaining('no ENI is moved to the allow-all untrack group first')]);
  });

  it('a production group someone tagged as the untrack group is left untouched, not used, and named in a warning', () => {
    const production: SecurityGroup = {
      ...responderGroup('sg-0prod00000000001', VPC_A, 'untrack'),
      GroupName: 'web-prod',
      Description: 'web tier',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
    const plan = planVpcSecurityGroups(VPC_A, known([factsOf(production), responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation')]));
    expect(plan.untrack).toEqual({ kind: 'created', stepId: `create-untrack-sg:${VPC_A}` });
    expect(changedGroups(plan)).toEqual([`<output of create-untrack-sg:${VPC_A}>`, `<output of create-untrack-sg:${VPC_A}>`]);
    expect(plan.steps.some((s) => JSON.stringify(s.parameters).includes('sg-0prod00000000001'))).toBe(false);
    expect(plan.steps[0]!.why).toBe(`the untrack group found by tag in ${VPC_A} (sg-0prod00000000001) failed verification and is left untouched; a fresh one is created`);
    expect(plan.warnings).toEqual([
      `Security group sg-0prod00000000001 in ${VPC_A} carries the responder's tags (ir:purpose=untrack) but is not what the responder creates: ` +
        'its name is not one the responder gives; its description is not the one the responder gives; its tags are not the ones the responder gives at creation; ' +
        'its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (tcp 443-443 ipv4:0.0.0.0/0); ' +
        'its egress rules are not exactly "all traffic to 0.0.0.0/0 and ::/0" (-1 ipv4:0.0.0.0/0). ' +
        "It was not used and its rules were not changed; a fresh group is created instead. Find out who tagged it; remove the responder's tags from it (or delete it if nothing uses it).",
    ]);
  });

  it('an untrack group with the right name and tags but one rule more than allow-all is not used', () => {
    const extra = responderGroup('sg-0extra0000000001', VPC_A, 'untrack');
    extra.IpPermissions = [...extra.IpPermissions!, { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-0db0000000000001' }] }];
    const plan = planVpcSecurityGroups(VPC_A, known([factsOf(extra)]));
    expect(plan.untrack).toEqual({ kind: 'created', stepId: `create-untrack-sg:${VPC_A}` });
    expect(plan.warnings[0]).toContain('its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (-1 ipv4:0.0.0.0/0, -1 ipv6:::/0, -1 group:sg-0db0000000000001)');
  });

  it('a half-configured untrack group is never repaired: a fresh one is created instead', () => {
    const half = responderGroup(UNTRACK_SG_A, VPC_A, 'untrack');
    half.IpPermissions = [];
    half.IpPermissionsEgress = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const plan = planVpcSecurityGroups(VPC_A, known([factsOf(half), responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation')]));
    expect(plan.steps.map((s) => s.id)).toEqual([`create-untrack-sg:${VPC_A}`, `untrack-sg-ingress:${VPC_A}`, `untrack-sg-egress:${VPC_A}`]);
    expect(changedGroups(plan)).not.toContain(UNTRACK_SG_A);
  });

  it.each([
    ['an ingress rule', { IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }, 'it has ingress rules (tcp 22-22 ipv4:0.0.0.0/0)'],
    ['the default egress rule', { IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }, 'it has egress rules (-1 ipv4:0.0.0.0/0)'],
  ])('a tagged isolation group with %s is not used, and a fresh one is created', (_what, rules, flaw) => {
    const rogue = { ...responderGroup(ISOLATION_SG_A, VPC_A, 'isolation'), ...rules };
    const plan = planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'), factsOf(rogue)]));
    expect(plan.isolation).toEqual({ kind: 'created', stepId: `create-isolation-sg:${VPC_A}` });
    expect(plan.isolatedOn.size).toBe(0);
    expect(plan.steps.map((s) => [s.id, s.parameters.GroupId])).toEqual([
      [`create-isolation-sg:${VPC_A}`, undefined],
      [`isolation-sg-egress:${VPC_A}`, `<output of create-isolation-sg:${VPC_A}>`],
    ]);
    expect(plan.warnings).toEqual([expect.stringContaining(`Security group ${ISOLATION_SG_A} in ${VPC_A} carries the responder's tags (ir:purpose=isolation) but is not what the responder creates: ${flaw}.`)]);
  });

  it('uses a verified group beside a rejected twin, whatever the order they are listed in, and still warns about the twin', () => {
    const twin = { ...responderGroup('sg-00000000000000aaa', VPC_A, 'untrack'), IpPermissions: [] };
    const plan = planVpcSecurityGroups(VPC_A, known([responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'), factsOf(twin), responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation')]));
    expect(plan.untrack).toEqual({ kind: 'existing', groupId: UNTRACK_SG_A });
    expect(plan.steps).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringContaining(`sg-00000000000000aaa in ${VPC_A} carries the responder's tags`)]);
    expect(plan.warnings[0]).toContain(`the verified group ${UNTRACK_SG_A} is used instead`);
  });

  it('never uses a group of another VPC', () => {
    const plan = planVpcSecurityGroups(VPC_B, existing);
    expect(plan.untrack).toEqual({ kind: 'created', stepId: `create-untrack-sg:${VPC_B}` });
    expect(plan.isolation).toEqual({ kind: 'created', stepId: `create-isolation-sg:${VPC_B}` });
  });
});

describe('security-group steps when run', () => {
  it('creates the groups under unique names and hands their ids to the steps that use them', async () => {
    const plan = planVpcSecurityGroups(VPC_B, existing);
    const outcomes = await executeSteps(plan.steps, h.clients);
    expect(outcomes.map((o) => [o.id, o.status, o.detail])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'done', expect.stringMatching(new RegExp(`^created ${CREATED_UNTRACK_SG} \\(guardduty-ir-untrack-[0-9a-f]{8}\\)$`))],
      [`untrack-sg-ingress:${VPC_B}`, 'done', undefined],
      [`untrack-sg-egress:${VPC_B}`, 'done', undefined],
      [`create-isolation-sg:${VPC_B}`, 'done', expect.stringMatching(new RegExp(`^created ${CREATED_ISOLATION_SG} \\(guardduty-ir-isolation-[0-9a-f]{8}\\)$`))],
      [`isolation-sg-egress:${VPC_B}`, 'done', undefined],
    ]);
    const creations = h.callsOf('CreateSecurityGroup');
    expect(creations.map((c) => [c.VpcId, c.Description])).toEqual([
      [VPC_B, 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation'],
      [VPC_B, 'GuardDuty IR: no rules; isolates an instance'],
    ]);
    expect(creations[0]!.GroupName).toMatch(UNTRACK_NAME);
    expect(creations[1]!.GroupName).toMatch(ISOLATION_NAME);
    // The Name tag is the name sent.
    expect(creations[0]!.TagSpecifications).toEqual([
      {
        ResourceType: 'security-group',
        Tags: [
          { Key: 'Name', Value: creations[0]!.GroupName },
          { Key: 'ir:managed-by', Value: 'guardduty-ir' },
          { Key: 'ir:purpose', Value: 'untrack' },
        ],
      },
    ]);
    expect(h.callsOf('AuthorizeSecurityGroupIngress')).toEqual([{ GroupId: CREATED_UNTRACK_SG, IpPermissions: [ALL_TRAFFIC] }]);
    expect(h.callsOf('AuthorizeSecurityGroupEgress')).toEqual([{ GroupId: CREATED_UNTRACK_SG, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }]);
    expect(h.callsOf('RevokeSecurityGroupEgress')).toEqual([{ GroupId: CREATED_ISOLATION_SG, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });

  it('never changes a rule of a group it found, tagged or not: found groups get no call at all', async () => {
    const rogueIsolation = { ...responderGroup(ISOLATION_SG_A, VPC_A, 'isolation'), IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] };
    const rogueUntrack = { ...responderGroup(UNTRACK_SG_A, VPC_A, 'untrack'), GroupName: 'web-prod' };
    await executeSteps(planVpcSecurityGroups(VPC_A, known([factsOf(rogueUntrack), factsOf(rogueIsolation)])).steps, h.clients);
    const touched = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupEgress'].flatMap((a) => h.callsOf(a).map((c) => c.GroupId));
    expect(touched.sort()).toEqual([CREATED_ISOLATION_SG, CREATED_UNTRACK_SG, CREATED_UNTRACK_SG].sort());
  });

  it("a name already taken (InvalidGroup.Duplicate) by a group that is not this run's own is never reused: one more creation under a new name", async () => {
    let refused = 0;
    h.world.failures.set('CreateSecurityGroup', () => (refused++ === 0 ? awsError('InvalidGroup.Duplicate', 'The security group already exists for VPC') : undefined));
    const plan = planVpcSecurityGroups(VPC_B, known([]));
    const outcomes = await executeSteps(plan.steps, h.clients);
    expect(outcomes.find((o) => o.id === `create-untrack-sg:${VPC_B}`)).toMatchObject({ status: 'done', detail: expect.stringContaining(`created ${CREATED_UNTRACK_SG}`) });
    const names = h.callsOf('CreateSecurityGroup').map((c) => c.GroupName);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    // The one look-up: is the group under the refused name the one this very request created? (It is not: nothing of that name is there.)
    expect(h.callsOf('DescribeSecurityGroups')).toEqual([{ Filters: [{ Name: 'vpc-id', Values: [VPC_B] }, { Name: 'group-name', Values: [names[0]] }] }]);
  });

  it('a retried creation that meets its own landed write (the first answer lost) uses that group: one group, no second creation', async () => {
    h.world.failures.set('CreateSecurityGroup', (input) => {
      if (input.GroupName === undefined || !String(input.GroupName).startsWith('guardduty-ir-untrack-')) return undefined;
      // The first request created the group; its answer never came back, and the SDK's retry is refused as a duplicate.
      h.world.responderGroups = [{ ...responderGroup('sg-0landed000000001', VPC_B, 'untrack', String(input.GroupName)), IpPermissions: [], IpPermissionsEgress: [] }];
      return awsError('InvalidGroup.Duplicate', 'The security group already exists for VPC');
    });
    const outcomes = await executeSteps(planVpcSecurityGroups(VPC_B, known([])).steps, h.clients);
    expect(outcomes.find((o) => o.id === `create-untrack-sg:${VPC_B}`)).toMatchObject({ status: 'done', detail: expect.stringContaining('created sg-0landed000000001 (') });
    expect(h.callsOf('CreateSecurityGroup').filter((c) => String(c.GroupName).startsWith('guardduty-ir-untrack-'))).toHaveLength(1);
    expect(h.callsOf('AuthorizeSecurityGroupIngress').map((c) => c.GroupId)).toEqual(['sg-0landed000000001']);
  });

  it('a group under the refused name with other tags or description is not adopted', async () => {
    h.world.failures.set('CreateSecurityGroup', (input) => {
      if (!String(input.GroupName).startsWith('guardduty-ir-untrack-') || h.world.responderGroups.length > 0) return undefined;
      h.world.responderGroups = [{ ...responderGroup('sg-0someone00000001', VPC_B, 'untrack', String(input.GroupName)), Description: 'web servers' }];
      return awsError('InvalidGroup.Duplicate', 'The security group already exists for VPC');
    });
    const outcomes = await executeSteps(planVpcSecurityGroups(VPC_B, known([])).steps, h.clients);
    expect(outcomes.find((o) => o.id === `create-untrack-sg:${VPC_B}`)).toMatchObject({ status: 'done', detail: expect.stringContaining(`created ${CREATED_UNTRACK_SG}`) });
    expect(h.callsOf('AuthorizeSecurityGroupIngress').map((c) => c.GroupId)).toEqual([CREATED_UNTRACK_SG]);
  });

  it('a second InvalidGroup.Duplicate fails the step with its code, and nothing uses a group it did not create', async () => {
    h.world.failures.set('CreateSecurityGroup', awsError('InvalidGroup.Duplicate'));
    const outcomes = await executeSteps(planVpcSecurityGroups(VPC_B, known([])).steps, h.clients);
    expect(outcomes.map((o) => [o.id, o.status, o.error?.code ?? o.reason])).toEqual([
      [`create-untrack-sg:${VPC_B}`, 'failed', 'InvalidGroup.Duplicate'],
      [`untrack-sg-ingress:${VPC_B}`, 'skipped', `needs create-untrack-sg:${VPC_B} (failed)`],
      [`untrack-sg-egress:${VPC_B}`, 'skipped', `needs create-untrack-sg:${VPC_B} (failed)`],
      [`create-isolation-sg:${VPC_B}`, 'failed', 'InvalidGroup.Duplicate'],
      [`isolation-sg-egress:${VPC_B}`, 'skipped', `needs create-isolation-sg:${VPC_B} (failed)`],
    ]);
    expect(h.callsOf('CreateSecurityGroup')).toHaveLength(4);
  });

  it('a rule the new group already has, or already lacks, is success', async () => {
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
