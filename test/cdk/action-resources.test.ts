import type { IamAction } from '../../lambda/plan/types';
import { scopeOfAction, WILDCARD_REASONS, type ScopeReferences } from '../../lib/iam/action-resources';

const REFS: ScopeReferences = {
  partition: 'aws',
  account: '111122223333',
  topicArn: 'arn:aws:sns:eu-west-1:111122223333:ir',
  topicKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234',
  evidenceObjectsArn: 'arn:aws:s3:::ir-evidence/incidents/*',
  evidenceKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/5678',
};

describe('scopeOfAction', () => {
  it.each([
    ['sns:Publish', 'notification-topic', ['arn:aws:sns:eu-west-1:111122223333:ir']],
    // Publishing to the topic and every evidence PutObject need a data key; only publishing needs Decrypt.
    ['kms:GenerateDataKey', 'notification-and-evidence-keys', ['arn:aws:kms:eu-west-1:111122223333:key/1234', 'arn:aws:kms:eu-west-1:111122223333:key/5678']],
    ['kms:Decrypt', 'notification-key', ['arn:aws:kms:eu-west-1:111122223333:key/1234']],
    ['s3:PutObject', 'evidence-objects', ['arn:aws:s3:::ir-evidence/incidents/*']],
    ['ec2:GetConsoleOutput', 'ec2-instance', ['arn:aws:ec2:*:111122223333:instance/*']],
    ['iam:UpdateAccessKey', 'iam-user', ['arn:aws:iam::111122223333:user/*']],
    ['iam:PutUserPolicy', 'iam-user', ['arn:aws:iam::111122223333:user/*']],
    ['iam:ListAccessKeys', 'iam-user', ['arn:aws:iam::111122223333:user/*']],
    ['iam:PutRolePolicy', 'iam-role', ['arn:aws:iam::111122223333:role/*']],
    ['iam:GetRole', 'iam-role', ['arn:aws:iam::111122223333:role/*']],
    // Names mention both; the resource type decides.
    ['iam:ListInstanceProfilesForRole', 'iam-role', ['arn:aws:iam::111122223333:role/*']],
    ['iam:GetAccessKeyLastUsed', 'iam-user', ['arn:aws:iam::111122223333:user/*']],
    // Authorises the principal it reports on: the playbooks ask about users and roles only.
    ['iam:GenerateServiceLastAccessedDetails', 'iam-user-or-role', ['arn:aws:iam::111122223333:user/*', 'arn:aws:iam::111122223333:role/*']],
    ['iam:GetServiceLastAccessedDetails', 'no-resource-level-permissions', ['*']],
    ['cloudtrail:LookupEvents', 'no-resource-level-permissions', ['*']],
    ['iam:RemoveRoleFromInstanceProfile', 'iam-instance-profile', ['arn:aws:iam::111122223333:instance-profile/*']],
    ['iam:GetInstanceProfile', 'iam-instance-profile', ['arn:aws:iam::111122223333:instance-profile/*']],
    ['autoscaling:DetachInstances', 'auto-scaling-group', ['arn:aws:autoscaling:*:111122223333:autoScalingGroup:*:autoScalingGroupName/*']],
    ['elasticloadbalancing:DeregisterTargets', 'target-group', ['arn:aws:elasticloadbalancing:*:111122223333:targetgroup/*/*']],
    ['ec2:DescribeInstances', 'no-resource-level-permissions', ['*']],
    ['autoscaling:DescribeAutoScalingInstances', 'no-resource-level-permissions', ['*']],
    ['elasticloadbalancing:DescribeTargetHealth', 'no-resource-level-permissions', ['*']],
    ['sts:GetCallerIdentity', 'no-resource-level-permissions', ['*']],
    ['iam:ListAccountAliases', 'no-resource-level-permissions', ['*']],
    ['ec2:ModifyInstanceAttribute', 'resource-known-only-at-run-time', ['*']],
    ['ec2:CreateSnapshots', 'resource-known-only-at-run-time', ['*']],
    ['iam:DeleteRole', 'resource-known-only-at-run-time', ['*']],
    ['sns:Subscribe', 'resource-known-only-at-run-time', ['*']],
  ] as const)('%s → %s', (action, kind, resources) => {
    expect(scopeOfAction(action as IamAction, REFS)).toEqual({ kind, resources });
  });

  it('uses the partition it is given (aws-us-gov, aws-cn)', () => {
    expect(scopeOfAction('iam:GetUser', { ...REFS, partition: 'aws-cn' }).resources).toEqual(['arn:aws-cn:iam::111122223333:user/*']);
  });

  it('has a reason for every kind that can produce a wildcard resource', () => {
    const actions: IamAction[] = [
      'iam:GetUser',
      'iam:GetRole',
      'iam:GetInstanceProfile',
      'iam:GenerateServiceLastAccessedDetails',
      'autoscaling:DetachInstances',
      'elasticloadbalancing:DeregisterTargets',
      'ec2:DescribeInstances',
      'ec2:CreateTags',
    ];
    for (const action of actions) {
      const scope = scopeOfAction(action, REFS);
      expect(scope.resources.some((r) => r.includes('*'))).toBe(true);
      expect(WILDCARD_REASONS[scope.kind]).toEqual(expect.any(String));
    }
  });
});
