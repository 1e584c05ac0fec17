import { planOriginalGroupsRecord } from '../../../../../lambda/playbooks/contain-instance/steps/original-groups';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { INSTANCE_ID, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A, VPC_A } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const base = { instanceId: INSTANCE_ID, networkInterfaces: containFacts().networkInterfaces, tags: {}, responderGroupIds: new Set([UNTRACK_SG_A, ISOLATION_SG_A]), stage: 3 };

describe('planOriginalGroupsRecord', () => {
  it('writes one tag per ENI with its groups, space-separated', async () => {
    const { step, warnings } = planOriginalGroupsRecord(base);
    expect(warnings).toEqual([]);
    expect(step).toMatchObject({ stage: 3, action: 'ec2:CreateTags', target: INSTANCE_ID });
    await executeSteps([step!], h.clients);
    expect(h.callsOf('CreateTags')).toEqual([
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0web000000000001 sg-0ssh000000000001' },
          { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
        ],
      },
    ]);
  });

  it('keeps the record of an ENI on the responder\'s groups (an earlier run isolated it, or stopped halfway) and records the other', () => {
    const enis = [
      { networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [ISOLATION_SG_A] },
      { networkInterfaceId: SECONDARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0db0000000000001'] },
    ];
    const { step, warnings } = planOriginalGroupsRecord({ ...base, networkInterfaces: enis, tags: { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0first' } });
    expect(step!.parameters).toEqual({ Resources: [INSTANCE_ID], Tags: [{ Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' }] });
    expect(warnings).toEqual([]);
  });

  it('keeps the record of an ENI a stopped run left on the untrack group, or on both groups', () => {
    const enis = [
      { networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [UNTRACK_SG_A] },
      { networkInterfaceId: SECONDARY_ENI, vpcId: VPC_A, securityGroupIds: [UNTRACK_SG_A, 'sg-0db0000000000001'] },
    ];
    const tags = { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0web000000000001', [`ir:original-sgs:${SECONDARY_ENI}`]: 'sg-0db0000000000001' };
    const { step, warnings } = planOriginalGroupsRecord({ ...base, networkInterfaces: enis, tags });
    expect([step!.parameters, warnings]).toEqual([{ Resources: [INSTANCE_ID], Tags: [] }, []]);
  });

  // Anyone who can tag the instance (its own role) can pre-write a record: release would then put the ENI on the group they chose.
  it('overwrites a record that disagrees with the groups of an ENI on its own groups, and names the value discarded, escaped', async () => {
    const planted = 'sg-0attacker000001\n[ok] restored';
    const { step, warnings } = planOriginalGroupsRecord({ ...base, tags: { [`ir:original-sgs:${PRIMARY_ENI}`]: planted } });
    await executeSteps([step!], h.clients);
    expect(h.callsOf('CreateTags')).toEqual([
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: `ir:original-sgs:${PRIMARY_ENI}`, Value: 'sg-0web000000000001 sg-0ssh000000000001' },
          { Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      `The instance's record ir:original-sgs:${PRIMARY_ENI} said "sg-0attacker000001\\n[ok] restored", but ${PRIMARY_ENI} is on its own groups ` +
        '(sg-0web000000000001 sg-0ssh000000000001), not the responder\'s: no response isolated it, so that record was not written by one. ' +
        'It is overwritten with the groups the ENI is on now, which are the ones restored. Find out who tagged the instance.',
    ]);
    expect(warnings[0]).not.toContain('\n');
  });

  it('skips, with the reason, when every record already says what it must', async () => {
    const tags = { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0web000000000001 sg-0ssh000000000001', [`ir:original-sgs:${SECONDARY_ENI}`]: 'sg-0db0000000000001' };
    const { step, warnings } = planOriginalGroupsRecord({ ...base, tags });
    const [outcome] = await executeSteps([step!], h.clients);
    expect(outcome).toMatchObject({
      status: 'skipped',
      reason: `already recorded (ir:original-sgs:${PRIMARY_ENI}, ir:original-sgs:${SECONDARY_ENI}): the record of an ENI on the responder's groups, or the groups the ENI is on now, is kept`,
    });
    expect(warnings).toEqual([]);
    expect(h.callsOf('CreateTags')).toEqual([]);
  });

  it('records nothing, and says so, for an ENI on the responder\'s groups with no record', () => {
    const { step, warnings } = planOriginalGroupsRecord({ ...base, networkInterfaces: [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [ISOLATION_SG_A] }] });
    expect(step!.parameters).toEqual({ Resources: [INSTANCE_ID], Tags: [] });
    expect(warnings).toEqual([`${PRIMARY_ENI} is already on the responder's security groups and no record of its original groups exists; nothing is recorded for it.`]);
  });

  it('keeps whole group ids within the 256-character tag limit and lists the rest in a warning', () => {
    const many = Array.from({ length: 16 }, (_, i) => `sg-${String(i).padStart(17, '0')}`);
    const { step, warnings } = planOriginalGroupsRecord({ ...base, networkInterfaces: [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: many }] });
    const value = (step!.parameters.Tags as { Value: string }[])[0]!.Value;
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toBe(many.slice(0, 12).join(' '));
    expect(warnings).toEqual([`The original security groups of ${PRIMARY_ENI} do not fit in one tag value; ${many.slice(12).join(' ')} are only in this report.`]);
  });
});
