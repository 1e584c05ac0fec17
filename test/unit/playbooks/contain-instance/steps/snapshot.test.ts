import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planSnapshot } from '../../../../../lambda/playbooks/contain-instance/steps/snapshot';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { containFinding, CRYPTO_TYPE, FINDING_ID } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { INSTANCE_ID } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const base = { instanceId: INSTANCE_ID, finding: containFinding(), incidentId: 'ir-0123456789abcdef', existing: known<readonly string[]>([]), volumes: containFacts().volumes };

describe('planSnapshot', () => {
  it('snapshots every attached volume, boot included, in one call tagged for this finding', async () => {
    const { step, warnings } = planSnapshot(base);
    expect(warnings).toEqual([]);
    const [outcome] = await executeSteps([step], h.clients);
    expect(outcome).toMatchObject({ status: 'done', detail: 'snap-0root0000000001, snap-0data0000000001' });
    expect(h.callsOf('CreateSnapshots')).toEqual([
      {
        InstanceSpecification: { InstanceId: INSTANCE_ID, ExcludeBootVolume: false },
        Description: `GuardDuty IR ir-0123456789abcdef: evidence of ${INSTANCE_ID}`,
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'ir:finding-id', Value: FINDING_ID },
              { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
              { Key: 'ir:incident-id', Value: 'ir-0123456789abcdef' },
              { Key: 'ir:source-instance', Value: INSTANCE_ID },
            ],
          },
        ],
      },
    ]);
    expect(h.callsOf('CreateSnapshots')[0]).not.toHaveProperty('CopyTagsFromSource');
  });

  it('skips, with the reason, when this finding already has snapshots or the instance has no EBS volume', async () => {
    const again = planSnapshot({ ...base, existing: known(['snap-0a', 'snap-0b']) });
    expect(again.step.why).toBe('snapshots for this finding already exist (snap-0a, snap-0b): skipped, one set per finding');
    const none = planSnapshot({ ...base, volumes: known([]) });
    const outcomes = await executeSteps([again.step, { ...none.step, id: 'snapshot-2' }], h.clients);
    expect(outcomes.map((o) => o.reason)).toEqual(['snapshots for this finding already exist (snap-0a, snap-0b)', 'no EBS volume is attached']);
    expect(h.callsOf('CreateSnapshots')).toEqual([]);
  });

  it('takes them when it could not tell whether they exist, and says so', () => {
    const { warnings } = planSnapshot({ ...base, existing: unknown('DescribeSnapshots failed (AccessDenied)') });
    expect(warnings).toEqual([
      "Whether this finding's snapshots already exist is DescribeSnapshots failed (AccessDenied): they are taken (again, if a delivery before took them).",
    ]);
  });
});
