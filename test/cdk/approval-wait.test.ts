import { Match } from 'aws-cdk-lib/assertions';
import { approvalLinkFunctionName } from '../../lib/approval/approval-channels';
import { CONFIG_CONTEXT_KEY } from '../../lib/config/load-config';
import { approvalScheduleGroupName, approvalSchedulerRoleName } from '../../lib/naming';
import { ACTING_PLAYBOOKS } from '../../lambda/routing/playbook-names';
import { cdkJsonContext, synthesize, type Synthesized } from './support/synth';

/*
 * The wait for a decision in the stack (config `approval`): the schedule group,
 * the scheduler role and the escalation topic (lib/approval-schedules.ts),
 * and the acting playbooks' grants and environment for it, derived from the
 * wait's step declarations (lambda/approval/specs.ts). Nothing of it without
 * `approval`, and nothing of it for notify, which never waits.
 */

const withConfig = (more: Record<string, unknown>) => ({ [CONFIG_CONTEXT_KEY]: { ...(cdkJsonContext()[CONFIG_CONTEXT_KEY] as object), ...more } });

let synth: Synthesized;
let plain: Synthesized;

beforeAll(() => {
  synth = synthesize({ context: withConfig({ approval: { timeoutMinutes: 30, escalateMinutesBefore: 10, escalationEmails: ['lead@example.com'] } }) });
  plain = synthesize();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown; Sid?: string };

function logicalIds(s: Synthesized, type: string, prefix: string): string[] {
  return Object.keys(s.template.findResources(type)).filter((id) => id.startsWith(prefix));
}

function logicalId(s: Synthesized, type: string, prefix: string): string {
  const ids = logicalIds(s, type, prefix);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function stepStatements(s: Synthesized, rolePrefix: string): Statement[] {
  const role = s.template.findResources('AWS::IAM::Role')[logicalId(s, 'AWS::IAM::Role', rolePrefix)]!;
  const policies = role.Properties.Policies as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  return policies.find((p) => p.PolicyName === 'PlaybookSteps')!.PolicyDocument.Statement;
}

/** A string with the stack's tokens (partition, region, account) as the template holds it. */
const resolved = (value: string): unknown => synth.stack.resolve(value);
const actionsOf = (statements: readonly Statement[]) => statements.flatMap((s) => [s.Action].flat());
const WAIT_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole', 'kms:GenerateMac', 'lambda:GetFunctionUrlConfig'];

describe('the approval wait in the stack', () => {
  it('makes the schedule group under the stack-derived name, and the scheduler role under its fixed name', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: approvalScheduleGroupName(synth.stack.stackName) });
    synth.template.hasResourceProperties('AWS::IAM::Role', { RoleName: resolved(approvalSchedulerRoleName(synth.stack.stackName, synth.stack.region)) });
  });

  it('lets the scheduler role invoke the acting playbook functions only', () => {
    const functions = synth.template.findResources('AWS::Lambda::Function');
    const playbookFunctionId = (playbook: string) => Object.keys(functions).find((id) => functions[id]!.Properties.Environment?.Variables?.IR_PLAYBOOK === playbook)!;
    const role = logicalId(synth, 'AWS::IAM::Role', 'ApprovalWaitSchedulerRole');
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        {
          Sid: 'InvokePlaybooks',
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          // Every acting playbook's function (they all wait for a decision), by the playbook it runs, in ACTING_PLAYBOOKS' order.
          Resource: ACTING_PLAYBOOKS.map((playbook) => ({ 'Fn::GetAtt': [playbookFunctionId(playbook), 'Arn'] })),
        },
      ],
    ]);
  });

  it.each(['ContainInstanceRole', 'RevokeCredentialsRole'])('gives %s the wait’s grants, each on its one resource', (prefix) => {
    const statements = stepStatements(synth, prefix);
    const group = approvalScheduleGroupName(synth.stack.stackName);
    // Without the Sids: what each statement allows, on what, under which condition.
    const of = (action: string) => statements.filter((s) => [s.Action].flat().includes(action)).map(({ Sid: _sid, ...allowed }) => allowed);
    expect(of('scheduler:CreateSchedule')).toEqual([
      {
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        Effect: 'Allow',
        Resource: resolved(`arn:${synth.stack.partition}:scheduler:${synth.stack.region}:${synth.stack.account}:schedule/${group}/*`),
      },
    ]);
    expect(of('iam:PassRole')).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(synth, 'AWS::IAM::Role', 'ApprovalWaitSchedulerRole'), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
    expect(of('kms:GenerateMac')).toEqual([{ Action: 'kms:GenerateMac', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(synth, 'AWS::KMS::Key', 'ApprovalLinkKey'), 'Arn'] } }]);
    expect(of('lambda:GetFunctionUrlConfig')).toEqual([
      {
        Action: 'lambda:GetFunctionUrlConfig',
        Effect: 'Allow',
        Resource: resolved(`arn:${synth.stack.partition}:lambda:${synth.stack.region}:${synth.stack.account}:function:${approvalLinkFunctionName(synth.stack.stackName)}`),
      },
    ]);
    const publish = of('sns:Publish');
    expect(publish).toHaveLength(1);
    expect(publish[0]!.Resource).toContainEqual({ Ref: logicalId(synth, 'AWS::SNS::Topic', 'ApprovalWaitEscalationTopic') });
  });

  it('gives notify none of them, and every playbook none without config approval', () => {
    expect(actionsOf(stepStatements(synth, 'NotifyRole')).filter((a) => WAIT_ACTIONS.includes(a))).toEqual([]);
    for (const prefix of ['ContainInstanceRole', 'RevokeCredentialsRole', 'NotifyRole']) {
      expect(actionsOf(stepStatements(plain, prefix)).filter((a) => WAIT_ACTIONS.includes(a))).toEqual([]);
    }
    expect(plain.template.findResources('AWS::Scheduler::ScheduleGroup')).toEqual({});
  });

  it('hands the acting functions the group, the scheduler role and the escalation topic; notify none', () => {
    for (const prefix of ['ContainInstanceFunction', 'RevokeCredentialsFunction']) {
      const fn = synth.template.findResources('AWS::Lambda::Function')[logicalId(synth, 'AWS::Lambda::Function', prefix)]!;
      expect(fn.Properties.Environment.Variables).toMatchObject({
        IR_APPROVAL_SCHEDULE_GROUP: approvalScheduleGroupName(synth.stack.stackName),
        IR_APPROVAL_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(synth, 'AWS::IAM::Role', 'ApprovalWaitSchedulerRole'), 'Arn'] },
        IR_ESCALATION_TOPIC_ARN: { Ref: logicalId(synth, 'AWS::SNS::Topic', 'ApprovalWaitEscalationTopic') },
        IR_APPROVAL_MAC_KEY: { 'Fn::GetAtt': [logicalId(synth, 'AWS::KMS::Key', 'ApprovalLinkKey'), 'Arn'] },
        IR_APPROVAL_LINK_FUNCTION: approvalLinkFunctionName(synth.stack.stackName),
      });
    }
    const notify = synth.template.findResources('AWS::Lambda::Function')[logicalId(synth, 'AWS::Lambda::Function', 'NotifyFunction')]!;
    expect(Object.keys(notify.Properties.Environment.Variables).filter((k) => k.startsWith('IR_APPROVAL') || k === 'IR_ESCALATION_TOPIC_ARN')).toEqual([]);
  });

  it('subscribes the escalation emails to the escalation topic', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'lead@example.com', TopicArn: { Ref: logicalId(synth, 'AWS::SNS::Topic', 'ApprovalWaitEscalationTopic') } });
  });

  it('protects the scheduler roles by name, every region at once: every IAM write on them denied but iam:PassRole', () => {
    synth.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyChangingPassableRoles',
            Effect: 'Deny',
            Action: Match.not(Match.arrayWith(['iam:PassRole'])),
            // Every region's scheduler role at once, in the security account where they are made (lib/iam/deny-statements.ts).
            Resource: resolved(`arn:${synth.stack.partition}:iam::${synth.stack.account}:role/${synth.stack.stackName}-approval-scheduler-*`),
          }),
        ]),
      },
    });
  });
});
