import { stepDocument } from '../../../../lambda/plan/document';
import { known, unknown, type InstanceFacts } from '../../../../lambda/playbooks/contain-instance/facts';
import { planContainInstance, planFirstSteps } from '../../../../lambda/playbooks/contain-instance/plan';
import { STAGE } from '../../../../lambda/playbooks/contain-instance/stages';
import { containFacts, planningInput } from '../../../support/aws-mocks/contain-facts';
import { DNS_REBIND_TYPE, containFinding } from '../../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID, INSTANCE_ID, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, VPC_A } from '../../../support/aws-mocks/contain-world';

/** Where the restore record goes: the finding's account and region (containFinding's). */
const TARGET = { accountId: ACCOUNT_ID, region: 'us-east-1', incidentId: 'ir-0123456789abcdef', findingId: 'f' };

/*
 * The isolation steps run before the rest of the reads are in, so they are
 * planned from the isolation facts alone. The whole plan, made later from
 * every fact, must begin with exactly those steps (same ids, parameters,
 * stages, requirements) and carry the same verdicts and tags: otherwise
 * what ran would not be the plan the report shows.
 */

const WORLDS: Record<string, InstanceFacts> = {
  'groups exist': containFacts(),
  'groups must be created': containFacts({ responderSecurityGroups: known([]) }),
  'groups unreadable': containFacts({ responderSecurityGroups: unknown('DescribeSecurityGroups failed (RequestLimitExceeded)') }),
  'already isolated, recorded': containFacts({
    networkInterfaces: [{ networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: [ISOLATION_SG_A] }],
    tags: { [`ir:original-sgs:${PRIMARY_ENI}`]: 'sg-0web000000000001' },
  }),
  'in an Auto Scaling group with a shared profile': containFacts({
    autoScaling: known({ groupName: 'web-asg', lifecycleState: 'InService' }),
    targetGroups: known([{ targetGroupArn: 'arn:tg/web', targetGroupName: 'web', ports: [80] }]),
  }),
  'terminated': containFacts({ state: 'terminated' }),
  'not found': containFacts({ lookup: { status: 'not-found', detail: 'InvalidInstanceID.NotFound: gone' } }),
};

describe('contain-instance: the first steps are the head of the whole plan', () => {
  it.each(Object.entries(WORLDS))('%s', (_name, facts) => {
    const whole = planContainInstance(planningInput(facts, { finding: containFinding({ type: DNS_REBIND_TYPE }) }));
    const first = planFirstSteps(facts, TARGET);
    expect(whole.steps.slice(0, first.steps.length).map(stepDocument)).toEqual(first.steps.map(stepDocument));
    expect(first.verdicts).toEqual(whole.verdicts);
    expect(first.resourceTags).toEqual(whole.resourceTags);
    // Nothing of the rest of the plan is in the first part, and nothing of the first part is left for later.
    expect(first.steps.every((s) => s.stage <= STAGE.restore)).toBe(true);
    expect(whole.steps.slice(first.steps.length).every((s) => s.stage > STAGE.restore)).toBe(true);
  });

  it('plans every ENI move, its restore if isolation fails, and the record of the original groups first, from the instance and the groups alone', () => {
    const first = planFirstSteps(containFacts(), TARGET);
    expect(first.steps.map((s) => s.id)).toEqual([
      'record-restore:network',
      'record-original-sgs',
      `untrack:${PRIMARY_ENI}`,
      `untrack:${SECONDARY_ENI}`,
      `isolate:${PRIMARY_ENI}`,
      `isolate:${SECONDARY_ENI}`,
      `restore:${PRIMARY_ENI}`,
      `restore:${SECONDARY_ENI}`,
    ]);
    expect(first.steps[0]!.target).toBe(`restore#${ACCOUNT_ID}#us-east-1#${INSTANCE_ID}`);
    expect(first.steps[1]!.target).toBe(INSTANCE_ID);
    // Every change waits for the restore record, and is skipped if it was not written.
    expect(first.steps.filter((s) => s.id !== 'record-restore:network' && !s.compensates).every((s) => s.requires.includes('record-restore:network'))).toBe(true);
  });
});
