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

  it('keeps the first record: an ENI already recorded is not written again', () => {
    const { step } = planOriginalGroupsRecord({ ...base, tags: { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0first' } });
    expect(step!.parameters).toEqual({ Resources: [INSTANCE_ID], Tags: [{ Key: `ir:original-sgs:${SECONDARY_ENI}`, Value: 'sg-0db0000000000001' }] });
  });

  it('skips, with the reason, when every ENI is already recorded', async () => {
    const tags = { [`ir:original-sgs:${PRIMARY_ENI}`]: 'a', [`ir:original-sgs:${SECONDARY_ENI}`]: 'b' };
    const { step } = planOriginalGroupsRecord({ ...base, tags });
    const [outcome] = await executeSteps([step!], h.clients);
    expect(outcome).toMatchObject({
      status: 'skipped',
      reason: `already recorded by an earlier response (ir:original-sgs:${PRIMARY_ENI}, ir:original-sgs:${SECONDARY_ENI}); the first record is kept`,
    });
    expect(h.callsOf('CreateTags')).toEqual([]);
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
