import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planPreserve } from '../../../../../lambda/playbooks/contain-instance/steps/preserve';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { INSTANCE_ID } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();

describe('planPreserve', () => {
  it('turns on termination protection, makes shutdown stop, and keeps every attached volume, in one stage', async () => {
    const { steps, warnings } = planPreserve(INSTANCE_ID, containFacts().volumes);
    expect(warnings).toEqual([]);
    expect(steps.map((s) => [s.id, s.stage])).toEqual([
      ['termination-protection', 6],
      ['shutdown-behavior-stop', 6],
      ['keep-volumes', 6],
    ]);
    await executeSteps(steps, h.clients);
    expect(h.callsOf('ModifyInstanceAttribute')).toEqual([
      { InstanceId: INSTANCE_ID, DisableApiTermination: { Value: true } },
      // Not the InstanceInitiatedShutdownBehavior: { Value } form.
      { InstanceId: INSTANCE_ID, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'stop' },
      {
        InstanceId: INSTANCE_ID,
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } },
          { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } },
        ],
      },
    ]);
    expect(steps.map((s) => s.parameters)).toEqual(h.callsOf('ModifyInstanceAttribute'));
  });

  it('plans no volume step when no volume is attached, and warns when the volumes are unknown', () => {
    expect(planPreserve(INSTANCE_ID, known([])).steps.map((s) => s.id)).toEqual(['termination-protection', 'shutdown-behavior-stop']);
    const offline = planPreserve(INSTANCE_ID, unknown('not known offline'));
    expect(offline.steps.map((s) => s.id)).toEqual(['termination-protection', 'shutdown-behavior-stop']);
    expect(offline.warnings).toEqual(['The attached volumes are not known offline: DeleteOnTermination is not planned.']);
  });
});
