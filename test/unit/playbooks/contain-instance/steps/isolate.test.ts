import { planNetworkInterfaceMoves } from '../../../../../lambda/playbooks/contain-instance/steps/isolate';
import { planVpcSecurityGroups, type VpcGroupsPlan } from '../../../../../lambda/playbooks/contain-instance/steps/security-groups';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { awsError, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A, VPC_A } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const groups = new Map<string, VpcGroupsPlan>([[VPC_A, planVpcSecurityGroups(VPC_A, containFacts().responderSecurityGroups)]]);

describe('planNetworkInterfaceMoves', () => {
  it('moves every ENI to the untrack group (stage 3), then to the isolation group (stage 4) right after its own untrack move', () => {
    const steps = planNetworkInterfaceMoves(containFacts().networkInterfaces, groups);
    expect(steps.map((s) => [s.id, s.stage, s.follows, s.target, s.parameters])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 3, undefined, PRIMARY_ENI, { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] }],
      [`isolate:${PRIMARY_ENI}`, 4, `untrack:${PRIMARY_ENI}`, PRIMARY_ENI, { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }],
      [`untrack:${SECONDARY_ENI}`, 3, undefined, SECONDARY_ENI, { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] }],
      [`isolate:${SECONDARY_ENI}`, 4, `untrack:${SECONDARY_ENI}`, SECONDARY_ENI, { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] }],
    ]);
  });

  it('sends exactly the planned request, one per ENI, and reports where each ENI ended', async () => {
    const outcomes = await executeSteps(planNetworkInterfaceMoves(containFacts().networkInterfaces, groups), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(outcomes.map((o) => o.detail)).toEqual([
      `${PRIMARY_ENI} is on ${UNTRACK_SG_A}`,
      `${PRIMARY_ENI} is on ${ISOLATION_SG_A}`,
      `${SECONDARY_ENI} is on ${UNTRACK_SG_A}`,
      `${SECONDARY_ENI} is on ${ISOLATION_SG_A}`,
    ]);
  });

  it('never moves an ENI that is already isolated back onto the allow-all group', async () => {
    const enis = [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [ISOLATION_SG_A] }];
    const steps = planNetworkInterfaceMoves(enis, groups);
    expect(steps.every((s) => s.why.includes('already on the isolation security group only'))).toBe(true);
    const outcomes = await executeSteps(steps, h.clients);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
  });

  it('an ENI that vanished fails with its code; the other ENI is still moved', async () => {
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      input.NetworkInterfaceId === PRIMARY_ENI ? awsError('InvalidNetworkInterfaceID.NotFound') : undefined,
    );
    const outcomes = await executeSteps(planNetworkInterfaceMoves(containFacts().networkInterfaces, groups), h.clients);
    expect(outcomes.map((o) => [o.id, o.status, o.error?.code])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'failed', 'InvalidNetworkInterfaceID.NotFound'],
      [`isolate:${PRIMARY_ENI}`, 'failed', 'InvalidNetworkInterfaceID.NotFound'],
      [`untrack:${SECONDARY_ENI}`, 'done', undefined],
      [`isolate:${SECONDARY_ENI}`, 'done', undefined],
    ]);
  });
});
