import type { IamAction } from '../../lambda/plan/types';
import { APPROVAL_STEP_SPECS } from '../../lambda/approval/specs';
import { scopeOfAction, WILDCARD_REASONS, type ScopeReferences } from '../../lib/iam/action-resources';
import { grantsOf, scopedGrants } from '../../lib/iam/scoped-statements';

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
    ['lambda:GetFunctionConfiguration', 'lambda-function', ['arn:aws:lambda:*:111122223333:function:*']],
    ['lambda:GetFunctionConcurrency', 'lambda-function', ['arn:aws:lambda:*:111122223333:function:*']],
    ['lambda:ListTags', 'lambda-function', ['arn:aws:lambda:*:111122223333:function:*']],
    ['lambda:PutFunctionConcurrency', 'lambda-function', ['arn:aws:lambda:*:111122223333:function:*']],
    ['lambda:DeleteFunctionConcurrency', 'lambda-function', ['arn:aws:lambda:*:111122223333:function:*']],
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

  describe('the wait for a decision (lambda/respond/wait.ts)', () => {
    const APPROVAL: ScopeReferences = {
      ...REFS,
      ledgerTableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/ir-ledger',
      region: 'eu-west-1',
      approval: {
        scheduleGroupName: 'ir-approvals',
        schedulerRoleArn: 'arn:aws:iam::111122223333:role/ir-approval-scheduler',
        escalationTopicArn: 'arn:aws:sns:eu-west-1:111122223333:ir-escalation',
        linkKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/link',
        linkFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:ir-approval-link',
      },
    };

    it('creates and deletes schedules in the stack group only, passes the scheduler role only, publishes to the escalation topic too', () => {
      for (const action of ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'] as const) {
        expect(scopeOfAction(action, APPROVAL)).toEqual({ kind: 'approval-schedules', resources: ['arn:aws:scheduler:eu-west-1:111122223333:schedule/ir-approvals/*'] });
      }
      expect(WILDCARD_REASONS['approval-schedules']).toEqual(expect.any(String));
      expect(scopeOfAction('iam:PassRole', APPROVAL)).toEqual({ kind: 'approval-scheduler-role', resources: ['arn:aws:iam::111122223333:role/ir-approval-scheduler'] });
      expect(scopeOfAction('sns:Publish', APPROVAL).resources).toEqual(['arn:aws:sns:eu-west-1:111122223333:ir', 'arn:aws:sns:eu-west-1:111122223333:ir-escalation']);
    });

    it('derives the grants from the step declarations (lambda/approval/specs.ts): PassRole only to EventBridge Scheduler', () => {
      const grants = scopedGrants(grantsOf(APPROVAL_STEP_SPECS), APPROVAL);
      expect(grants).toContainEqual({
        kind: 'approval-scheduler-role',
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::111122223333:role/ir-approval-scheduler'],
        condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      });
      expect(grants.find((g) => g.kind === 'approval-schedules')?.actions).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(grants.find((g) => g.kind === 'incident-ledger')?.actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
      // The decision links (lambda/approval/link.ts, link-url.ts): the MAC on the link key only, the URL of the link function only.
      expect(grants).toContainEqual({ kind: 'approval-link-key', actions: ['kms:GenerateMac'], resources: ['arn:aws:kms:eu-west-1:111122223333:key/link'] });
      expect(grants).toContainEqual({ kind: 'approval-link-function', actions: ['lambda:GetFunctionUrlConfig'], resources: ['arn:aws:lambda:eu-west-1:111122223333:function:ir-approval-link'] });
    });

    it('refuses to scope them in a stack without the schedule group or the scheduler role', () => {
      expect(() => scopeOfAction('scheduler:CreateSchedule', REFS)).toThrow("scheduler:CreateSchedule is scoped to the stack's schedule group, which this stack does not have");
      expect(() => scopeOfAction('iam:PassRole', REFS)).toThrow('iam:PassRole is scoped to the approval scheduler role, which this stack does not have');
      expect(() => scopeOfAction('kms:GenerateMac', REFS)).toThrow("kms:GenerateMac is scoped to the approval links' key, which this stack does not have");
      expect(() => scopeOfAction('lambda:GetFunctionUrlConfig', REFS)).toThrow('lambda:GetFunctionUrlConfig is scoped to the approval link function, which this stack does not have');
    });
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
