import { known, unknown } from '../../../../../lambda/playbooks/contain-instance/facts';
import { planTargetGroupDeregistration } from '../../../../../lambda/playbooks/contain-instance/steps/target-groups';
import { executeSteps } from '../../../../support/aws-mocks/contain-execute';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { awsError, INSTANCE_ID } from '../../../../support/aws-mocks/contain-world';

const h = useContainHarness();
const memberships = known([
  { targetGroupArn: 'arn:tg/web', targetGroupName: 'web', ports: [80, 8080] },
  { targetGroupArn: 'arn:tg/api', targetGroupName: 'api', ports: [443] },
]);

describe('planTargetGroupDeregistration', () => {
  it('deregisters every port of every group, one step per group, all in one stage', async () => {
    const { steps, warnings } = planTargetGroupDeregistration(INSTANCE_ID, memberships, []);
    expect(warnings).toEqual([]);
    expect(steps.map((s) => [s.id, s.stage])).toEqual([
      ['deregister:arn:tg/web', 6],
      ['deregister:arn:tg/api', 6],
    ]);
    await executeSteps(steps, h.clients);
    expect(h.callsOf('DeregisterTargets')).toEqual([
      { TargetGroupArn: 'arn:tg/web', Targets: [{ Id: INSTANCE_ID, Port: 80 }, { Id: INSTANCE_ID, Port: 8080 }] },
      { TargetGroupArn: 'arn:tg/api', Targets: [{ Id: INSTANCE_ID, Port: 443 }] },
    ]);
  });

  it('one failed deregistration does not hide the other', async () => {
    h.world.failures.set('DeregisterTargets', (input) => (input.TargetGroupArn === 'arn:tg/web' ? awsError('Throttling', 'Rate exceeded', 400) : undefined));
    const outcomes = await executeSteps(planTargetGroupDeregistration(INSTANCE_ID, memberships, []).steps, h.clients);
    expect(outcomes.map((o) => [o.status, o.error?.code, o.error?.retryable])).toEqual([
      ['failed', 'Throttling', true],
      ['done', undefined, undefined],
    ]);
  });

  it('warns about groups it could not read, and when membership is unknown', () => {
    const partial = planTargetGroupDeregistration(INSTANCE_ID, known([]), [{ targetGroupArn: 'arn:tg/locked', code: 'AccessDenied' }]);
    expect(partial).toEqual({ steps: [], warnings: [`The targets of arn:tg/locked could not be read (AccessDenied): ${INSTANCE_ID} may still be registered there.`] });
    expect(planTargetGroupDeregistration(INSTANCE_ID, unknown('not known offline'), []).warnings).toEqual([
      'Target group membership is not known offline: the instance is not deregistered from any target group.',
    ]);
  });
});
