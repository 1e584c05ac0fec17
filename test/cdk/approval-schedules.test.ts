import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApprovalSchedules } from '../../lib/approval-schedules';

/* The schedule group, the scheduler role and the escalation topic of the wait for a decision (lib/approval-schedules.ts). */

function synth() {
  const stack = new Stack(new App(), 'Approvals', { env: { account: '111122223333', region: 'eu-west-1' } });
  const fn = (id: string) => new lambda.Function(stack, id, { code: lambda.Code.fromInline('exports.handler = 1'), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_20_X });
  const acting = [fn('Contain'), fn('Revoke')];
  fn('Notify');
  const approvals = new ApprovalSchedules(stack, 'Approvals', { groupName: 'ir-approvals', functions: acting, topicKey: new kms.Key(stack, 'Key'), escalationEmails: ['lead@example.com'] });
  return { template: Template.fromStack(stack), approvals, stack, acting };
}

describe('ApprovalSchedules', () => {
  const { template, approvals, stack } = synth();

  it('makes the schedule group under its known name', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'ir-approvals' });
  });

  it('lets only Scheduler, for schedules of that group in this account, assume the scheduler role; it may invoke the acting functions only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:111122223333:schedule/ir-approvals/*']] } } },
          },
        ],
      },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => (p.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown[] }[] } }).PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('lambda:InvokeFunction');
    const invoked = JSON.stringify(statements[0]!.Resource);
    expect(invoked).toContain('Contain');
    expect(invoked).toContain('Revoke');
    expect(invoked).not.toContain('Notify');
  });

  it('encrypts the escalation topic, refuses plain HTTP, and subscribes the escalation emails', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue(), DisplayName: 'GuardDuty incident response: approval escalation' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'lead@example.com' });
  });

  it('hands the playbook functions and roles what they need', () => {
    expect(Object.keys(approvals.environment())).toEqual(['IR_APPROVAL_SCHEDULE_GROUP', 'IR_APPROVAL_SCHEDULER_ROLE_ARN', 'IR_ESCALATION_TOPIC_ARN']);
    expect(approvals.references().scheduleGroupName).toBe('ir-approvals');
    expect(stack.resolve(approvals.references().schedulerRoleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApprovalsSchedulerRole/), 'Arn'] });
  });
});
