import type { IamAction } from '../../../lambda/plan/types';

/**
 * A role with one action of every scope kind (and an action the scoping
 * module does not know), for the cdk-nag tests: whatever the playbooks
 * declare today, the acknowledgements must cover each kind of wildcard.
 */
export const WIDE_ACTIONS: readonly IamAction[] = [
  'sns:Publish',
  'kms:GenerateDataKey',
  'kms:Decrypt',
  'iam:UpdateAccessKey',
  'iam:PutRolePolicy',
  'iam:GetInstanceProfile',
  'autoscaling:DetachInstances',
  'elasticloadbalancing:DeregisterTargets',
  'ec2:DescribeInstances',
  'autoscaling:DescribeAutoScalingInstances',
  'elasticloadbalancing:DescribeTargetHealth',
  'ec2:ModifyInstanceAttribute',
  'ec2:CreateSnapshots',
  's3:PutObject',
  'ec2:GetConsoleOutput',
];

/** jest.mock factory for lambda/playbooks/registry: contain-instance declares WIDE_ACTIONS, in one step kind with no conditions. */
export function registryWithWideContainInstance(actual: typeof import('../../../lambda/playbooks/registry')) {
  const wide = { kind: 'wide', iamActions: [...WIDE_ACTIONS].sort(), mutating: true };
  return {
    ...actual,
    requiredIamActions: (name: Parameters<typeof actual.requiredIamActions>[0]) =>
      name === 'contain-instance' ? [...WIDE_ACTIONS].sort() : actual.requiredIamActions(name),
    stepSpecsOf: (name: Parameters<typeof actual.stepSpecsOf>[0]) => (name === 'contain-instance' ? [wide] : actual.stepSpecsOf(name)),
  };
}
