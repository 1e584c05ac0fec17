import { planInstanceTags } from '../../../../../lambda/playbooks/contain-instance/steps/tag';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { containFinding, CRYPTO_TYPE, FINDING_ID, NOW } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { INSTANCE_ID } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const base = { instanceId: INSTANCE_ID, finding: containFinding(), incidentId: 'ir-0123456789abcdef', now: NOW, currentTags: {} };

describe('planInstanceTags', () => {
  it('tags the instance with the incident, the finding, its severity and the isolation time', async () => {
    const step = planInstanceTags(base);
    expect(step.stage).toBe(6);
    await executeSteps([step], h.clients);
    expect(h.callsOf('CreateTags')).toEqual([
      {
        Resources: [INSTANCE_ID],
        Tags: [
          { Key: 'ir:incident-id', Value: 'ir-0123456789abcdef' },
          { Key: 'ir:finding-id', Value: FINDING_ID },
          { Key: 'ir:finding-type', Value: CRYPTO_TYPE },
          { Key: 'ir:severity', Value: '8' },
          { Key: 'ir:isolated-at', Value: '2026-11-22T08:00:00.000Z' },
        ],
      },
    ]);
  });

  it('keeps the first isolation time on a second delivery', () => {
    const step = planInstanceTags({ ...base, currentTags: { 'ir:isolated-at': '2026-11-21T00:00:00.000Z' } });
    expect((step.parameters.Tags as { Key: string }[]).map((t) => t.Key)).toEqual(['ir:incident-id', 'ir:finding-id', 'ir:finding-type', 'ir:severity']);
  });
});
