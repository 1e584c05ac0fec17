import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planAutoScalingDetach } from '../../../../../lambda/playbooks/contain-instance/steps/auto-scaling';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { awsError, INSTANCE_ID } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();

describe('planAutoScalingDetach', () => {
  it('detaches without decrementing the desired capacity', async () => {
    const { steps } = planAutoScalingDetach(INSTANCE_ID, known({ groupName: 'web-asg', lifecycleState: 'InService' }));
    expect(steps.map((s) => [s.id, s.target, s.stage])).toEqual([['detach-from-auto-scaling-group', 'web-asg', 6]]);
    const [outcome] = await executeSteps(steps, h.clients);
    expect(outcome).toMatchObject({ status: 'done', detail: 'activity act-1' });
    expect(h.callsOf('DetachInstances')).toEqual([{ InstanceIds: [INSTANCE_ID], AutoScalingGroupName: 'web-asg', ShouldDecrementDesiredCapacity: false }]);
  });

  it('plans nothing outside a group, warns when it is leaving already or unknown', () => {
    expect(planAutoScalingDetach(INSTANCE_ID, known(null))).toEqual({ steps: [], warnings: [] });
    expect(planAutoScalingDetach(INSTANCE_ID, known({ groupName: 'web-asg', lifecycleState: 'Detaching' }))).toEqual({
      steps: [],
      warnings: [`${INSTANCE_ID} is already leaving Auto Scaling group web-asg (Detaching).`],
    });
    expect(planAutoScalingDetach(INSTANCE_ID, unknown('DescribeAutoScalingInstances failed (AccessDenied)')).warnings).toEqual([
      'Auto Scaling group membership is DescribeAutoScalingInstances failed (AccessDenied): the instance is not detached from any group.',
    ]);
  });

  it('reports the Auto Scaling error code', async () => {
    h.world.failures.set('DetachInstances', awsError('ValidationError', 'The instance is not part of Auto Scaling group web-asg.'));
    const [outcome] = await executeSteps(planAutoScalingDetach(INSTANCE_ID, known({ groupName: 'web-asg', lifecycleState: 'InService' })).steps, h.clients);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'ValidationError' } });
  });
});
