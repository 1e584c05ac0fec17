import { known, unknown } from '../../../../lambda/playbooks/contain-instance/facts';
import { planContainInstance } from '../../../../lambda/playbooks/contain-instance/plan';
import { containFacts, planningInput } from '../../../support/aws-mocks/contain-facts';
import { containFinding, DNS_REBIND_TYPE, enforceConfig } from '../../../support/aws-mocks/contain-finding';
import { INSTANCE_ID, ISOLATION_SG_A, PRIMARY_ENI, ROLE_NAME, SECONDARY_ENI, UNTRACK_SG_A, VPC_A, VPC_B } from '../../../support/aws-mocks/contain-world';

const theft = { finding: containFinding({ type: DNS_REBIND_TYPE }) };

function layout(plan: ReturnType<typeof planContainInstance>): [string, number, readonly string[]][] {
  return plan.steps.map((s) => [s.id, s.stage, s.requires]);
}

describe('planContainInstance: stages', () => {
  it('cuts the network before anything else when the groups exist: record + untrack, isolate, restore if that failed, then the rest together', () => {
    const plan = planContainInstance(planningInput(containFacts(), theft));
    // Every change requires the restore record written before it (lambda/ledger/restore-record.ts).
    const net = 'record-restore:network';
    const rest = 'record-restore:containment';
    expect(layout(plan)).toEqual([
      [net, 0, []],
      ['record-original-sgs', 3, [net]],
      [`untrack:${PRIMARY_ENI}`, 3, [net]],
      [`untrack:${SECONDARY_ENI}`, 3, [net]],
      [`isolate:${PRIMARY_ENI}`, 4, [net]],
      [`isolate:${SECONDARY_ENI}`, 4, [net]],
      // Returning an ENI after a failed move waits for nothing.
      [`restore:${PRIMARY_ENI}`, 5, []],
      [`restore:${SECONDARY_ENI}`, 5, []],
      [rest, 5.5, [net]],
      ['termination-protection', 6, [rest]],
      ['shutdown-behavior-stop', 6, [rest]],
      ['keep-volumes', 6, [rest]],
      ['snapshot-volumes', 6, [rest]],
      ['revoke-role-sessions', 6, [rest]],
      ['disassociate-instance-profile', 6, [rest]],
      ['tag-instance', 6, [rest]],
    ]);
    expect(plan.steps.filter((s) => s.id.startsWith('restore:')).map((s) => [s.follows, s.parameters, s.runsPastDeadline, s.exposedOnFailure])).toEqual([
      [`isolate:${PRIMARY_ENI}`, { NetworkInterfaceId: PRIMARY_ENI, Groups: ['sg-0web000000000001', 'sg-0ssh000000000001'] }, true, PRIMARY_ENI],
      [`isolate:${SECONDARY_ENI}`, { NetworkInterfaceId: SECONDARY_ENI, Groups: ['sg-0db0000000000001'] }, true, SECONDARY_ENI],
    ]);
  });

  it('creates missing groups first, records the original groups in that same first stage, and gates each move on what it needs', () => {
    const plan = planContainInstance(planningInput(containFacts({ responderSecurityGroups: known([]) })));
    const c = (purpose: string) => `create-${purpose}-sg:${VPC_A}`;
    const isolationReady = [c('isolation'), `isolation-sg-egress:${VPC_A}`];
    const untrackReady = [c('untrack'), `untrack-sg-ingress:${VPC_A}`, `untrack-sg-egress:${VPC_A}`, ...isolationReady];
    const net = 'record-restore:network';
    expect(layout(plan).slice(0, 13)).toEqual([
      // The restore record goes first: nothing is changed, not even a group created, until it is written.
      [net, 0, []],
      [c('untrack'), 1, [net]],
      [c('isolation'), 1, [net]],
      ['record-original-sgs', 1, [net]],
      [`untrack-sg-ingress:${VPC_A}`, 2, [net, c('untrack')]],
      [`untrack-sg-egress:${VPC_A}`, 2, [net, c('untrack')]],
      [`isolation-sg-egress:${VPC_A}`, 2, [net, c('isolation')]],
      // Onto the allow-all group only once the isolation group is ready: an ENI never waits there for a group that may not come.
      [`untrack:${PRIMARY_ENI}`, 3, [net, ...untrackReady]],
      [`untrack:${SECONDARY_ENI}`, 3, [net, ...untrackReady]],
      // Isolation needs only its group, rules removed: a failed untrack move must not leave the ENI open.
      [`isolate:${PRIMARY_ENI}`, 4, [net, ...isolationReady]],
      [`isolate:${SECONDARY_ENI}`, 4, [net, ...isolationReady]],
      [`restore:${PRIMARY_ENI}`, 5, []],
      [`restore:${SECONDARY_ENI}`, 5, []],
    ]);
    expect(plan.steps.find((s) => s.id === `isolate:${PRIMARY_ENI}`)!.parameters).toEqual({
      NetworkInterfaceId: PRIMARY_ENI,
      Groups: [`<output of ${c('isolation')}>`],
    });
  });

  it('gives each ENI the groups of its own VPC (ENIs of one instance in two VPCs)', () => {
    const facts = containFacts({
      networkInterfaces: [
        { networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0web000000000001'] },
        { networkInterfaceId: SECONDARY_ENI, vpcId: VPC_B, securityGroupIds: ['sg-0other00000000001'] },
      ],
    });
    const plan = planContainInstance(planningInput(facts));
    const params = (id: string) => plan.steps.find((s) => s.id === id)!.parameters;
    expect(params(`untrack:${PRIMARY_ENI}`)).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] });
    expect(params(`isolate:${PRIMARY_ENI}`)).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] });
    expect(params(`untrack:${SECONDARY_ENI}`)).toEqual({ NetworkInterfaceId: SECONDARY_ENI, Groups: [`<output of create-untrack-sg:${VPC_B}>`] });
    expect(params(`isolate:${SECONDARY_ENI}`)).toEqual({ NetworkInterfaceId: SECONDARY_ENI, Groups: [`<output of create-isolation-sg:${VPC_B}>`] });
    expect(plan.steps.filter((s) => s.action === 'ec2:CreateSecurityGroup').map((s) => s.target)).toEqual([VPC_B, VPC_B]);
  });

  it('every step has a title, a target, a reason and a unique id, and declares the action it calls', () => {
    const plan = planContainInstance(
      planningInput(
        containFacts({
          responderSecurityGroups: known([]),
          autoScaling: known({ groupName: 'web-asg', lifecycleState: 'InService' }),
          targetGroups: known([{ targetGroupArn: 'arn:tg/web', targetGroupName: 'web', ports: [80] }]),
        }),
        theft,
      ),
    );
    expect(plan.steps).toHaveLength(23);
    expect(new Set(plan.steps.map((s) => s.id)).size).toBe(plan.steps.length);
    for (const step of plan.steps) {
      expect(step.title).not.toBe('');
      expect(step.target).not.toBe('');
      expect(step.why.length).toBeGreaterThan(10);
      expect(step.iamActions).toContain(step.action);
      expect(step.mutating).toBe(true);
    }
  });
});

describe('planContainInstance: what the plan tells the reader', () => {
  it('returns the current tags of the instance for the exempt-tag guard, and no verdict', () => {
    const plan = planContainInstance(planningInput(containFacts({ tags: { 'ir:exempt': 'yes', Name: 'x' } })));
    expect(plan.resourceTags).toEqual({ 'ir:exempt': 'yes', Name: 'x' });
    expect(plan.verdicts).toEqual([]);
  });

  it('warns that revoking a shared role cuts the other instances too', () => {
    const facts = containFacts({
      instanceProfile: { ...containFacts().instanceProfile!, sharedWith: known(['i-0other000000000001', 'i-0other000000000002']) },
    });
    const plan = planContainInstance(planningInput(facts, theft));
    expect(plan.warnings).toContain(
      `Role ${ROLE_NAME} is shared: i-0other000000000001, i-0other000000000002 use the same instance profile and lose their current sessions too (they get new credentials when theirs refresh).`,
    );
    expect(plan.steps.map((s) => s.id)).toContain('revoke-role-sessions');
  });

  it('never revokes a service-linked role or one of the responder roles; the profile is still removed', () => {
    const profile = containFacts().instanceProfile!;
    for (const [role, warning] of [
      [{ roleName: 'AWSServiceRoleForX', path: '/aws-service-role/x.amazonaws.com/', arn: 'arn' }, 'role AWSServiceRoleForX is service-linked (path /aws-service-role/x.amazonaws.com/)'],
      [{ roleName: 'guardduty-ir-contain-instance-role', path: '/', arn: 'arn' }, "is one of the responder's own roles"],
    ] as const) {
      const plan = planContainInstance(planningInput(containFacts({ instanceProfile: { ...profile, role: known(role) } }), theft));
      expect(plan.steps.map((s) => s.id)).not.toContain('revoke-role-sessions');
      expect(plan.steps.map((s) => s.id)).toContain('disassociate-instance-profile');
      expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringContaining(warning)]));
    }
  });

  it('never revokes an instance role named in credentials.protectedPrincipals (any case); the profile is still removed', () => {
    const config = { ...enforceConfig(), credentials: { exemptPrincipals: [], protectedPrincipals: [`arn:aws:iam::222222222222:role/${ROLE_NAME.toUpperCase()}`] } };
    const plan = planContainInstance(planningInput(containFacts(), { ...theft, config }));
    expect(plan.steps.map((s) => s.id)).not.toContain('revoke-role-sessions');
    expect(plan.steps.map((s) => s.id)).toContain('disassociate-instance-profile');
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^The sessions of the instance's role are not revoked: role ${ROLE_NAME} is a protected \\(break-glass\\) principal`))]));
    const other = { ...config, credentials: { exemptPrincipals: [], protectedPrincipals: [`arn:aws:iam::999988887777:role/${ROLE_NAME}`] } };
    expect(planContainInstance(planningInput(containFacts(), { ...theft, config: other })).steps.map((s) => s.id)).toContain('revoke-role-sessions');
  });

  it('plans no credential step without credential theft, and none for an instance without a profile', () => {
    expect(planContainInstance(planningInput(containFacts())).steps.map((s) => s.id)).not.toContain('revoke-role-sessions');
    const noProfile = planContainInstance(planningInput(containFacts({ instanceProfile: null, profileAssociationId: known(null) }), theft));
    expect(noProfile.steps.some((s) => s.action.startsWith('iam:') || s.action === 'ec2:DisassociateIamInstanceProfile')).toBe(false);
  });

  it('says what it could not read, and plans nothing on a guess', () => {
    const facts = containFacts({
      autoScaling: unknown('DescribeAutoScalingInstances failed (AccessDenied)'),
      targetGroups: unknown('DescribeTargetGroups failed (Throttling)'),
      evidenceSnapshots: unknown('DescribeSnapshots failed (UnauthorizedOperation)'),
      profileAssociationId: unknown('DescribeIamInstanceProfileAssociations failed (UnauthorizedOperation)'),
      instanceProfile: { ...containFacts().instanceProfile!, role: unknown('GetInstanceProfile failed (AccessDenied)'), sharedWith: unknown('x') },
    });
    const plan = planContainInstance(planningInput(facts, theft));
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        'Auto Scaling group membership is DescribeAutoScalingInstances failed (AccessDenied): the instance is not detached from any group.',
        'Target group membership is DescribeTargetGroups failed (Throttling): the instance is not deregistered from any target group.',
        "Whether this finding's snapshots already exist is DescribeSnapshots failed (UnauthorizedOperation): they are taken (again, if a delivery before took them).",
        `The instance profile association of ${INSTANCE_ID} is DescribeIamInstanceProfileAssociations failed (UnauthorizedOperation): the profile is not removed.`,
        'The role of instance profile arn:aws:iam::222222222222:instance-profile/web-tier is GetInstanceProfile failed (AccessDenied): its sessions are not revoked.',
      ]),
    );
    // Evidence first: without knowing, the snapshots are taken.
    expect(plan.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['snapshot-volumes']));
    expect(plan.steps.some((s) => s.id.startsWith('detach') || s.id.startsWith('deregister') || s.id.startsWith('revoke') || s.id.startsWith('disassociate'))).toBe(false);
  });

  it('an instance with no known network interface is reported as not isolated', () => {
    const plan = planContainInstance(planningInput(containFacts({ networkInterfaces: [] })));
    expect(plan.warnings).toContain(`No network interface of ${INSTANCE_ID} is known: the instance is NOT isolated.`);
    expect(plan.steps.some((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute')).toBe(false);
  });
});

describe('planContainInstance: no instance to act on', () => {
  it.each([
    [{ lookup: { status: 'missing-id' as const }, instanceId: null }, 'no-instance-id'],
    [{ lookup: { status: 'not-found' as const, detail: 'InvalidInstanceID.NotFound: gone' } }, 'instance-not-found'],
    [{ lookup: { status: 'unreadable' as const, error: { code: 'AccessDenied', message: 'no', retryable: false } } }, 'instance-unreadable'],
    [{ state: 'terminated' }, 'instance-terminated'],
  ])('%j → no step, blocking verdict %s', (overrides, verdict) => {
    const plan = planContainInstance(planningInput(containFacts(overrides), { config: enforceConfig({ revokeInstanceCredentials: 'always' }) }));
    expect(plan.steps).toEqual([]);
    expect(plan.verdicts).toEqual([expect.objectContaining({ id: verdict, blocks: true })]);
  });
});
