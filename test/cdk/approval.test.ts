import { Match } from 'aws-cdk-lib/assertions';
import { approvalLinkFunctionName } from '../../lib/approval/approval-channels';
import { APPROVAL_GRANTS } from '../../lib/approval/grants';
import { CONFIG_CONTEXT_KEY } from '../../lib/config/load-config';
import { APPROVAL_FUNCTION_NAMES } from '../../lib/lambda-bundle/options';
import { APPROVAL_DECISION_URL_OUTPUT, APPROVAL_LINK_URL_OUTPUT } from '../../lib/stack-outputs';
import { nagFindings } from './support/nag';
import { playbookFunctionIdPrefix } from './support/playbook-ids';
import { cdkJsonContext, synthesize, type Synthesized } from './support/synth';
import { ACTING_PLAYBOOKS } from '../../lambda/routing/playbook-names';

/*
 * The decision channels of approvals (lib/approval/): created only with
 * config `approval`; the link's URL open (AuthType NONE: the signed token
 * is the credential), the operator URL behind IAM (AWS_IAM); each function's
 * role exactly its declaration (lib/approval/grants.ts); the chat buttons
 * allowed to invoke the decision function and nothing else; the Security
 * Hub actions routed to their function.
 */

const SLACK = { workspaceId: 'T0123ABCDEF', channelId: 'C0456GHIJKL' };
const withConfig = (more: Record<string, unknown>) => ({ [CONFIG_CONTEXT_KEY]: { ...(cdkJsonContext()[CONFIG_CONTEXT_KEY] as object), ...more } });

let synth: Synthesized;
let plain: Synthesized;

beforeAll(() => {
  synth = synthesize({ context: withConfig({ approval: {}, chat: { slack: SLACK } }), nag: true });
  plain = synthesize();
});

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(synth.template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

const FUNCTION_IDS = { 'approval-link': 'ApprovalLink', 'approval-decide': 'ApprovalDecide', 'approval-chat': 'ApprovalChat', 'security-hub-action': 'ApprovalSecurityHubAction' } as const;

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

function declaredStatements(name: (typeof APPROVAL_FUNCTION_NAMES)[number]): Statement[] {
  const role = synth.template.findResources('AWS::IAM::Role')[logicalId('AWS::IAM::Role', `${FUNCTION_IDS[name]}Role`)]!;
  const policies = role.Properties.Policies as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  expect(policies.map((p) => p.PolicyName).sort()).toEqual(['Declared', 'WriteOwnLogs']);
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  return policies.find((p) => p.PolicyName === 'Declared')!.PolicyDocument.Statement;
}

describe('approval channels (config approval)', () => {
  it('puts the link function behind a URL with AuthType NONE and the decision function behind AWS_IAM', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ApprovalLinkFunction'), 'Arn'] } });
    synth.template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ApprovalDecideFunction'), 'Arn'] } });
    expect(Object.keys(synth.template.findResources('AWS::Lambda::Url'))).toHaveLength(2);
    // Fixed, so the playbooks find its URL at run time without a reference cycle.
    synth.template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: approvalLinkFunctionName(synth.stack.stackName), Handler: 'index.handler' });
    const outputs = synth.template.toJSON().Outputs as Record<string, unknown>;
    expect(outputs).toHaveProperty(APPROVAL_DECISION_URL_OUTPUT);
    expect(outputs).toHaveProperty(APPROVAL_LINK_URL_OUTPUT);
  });

  it('signs the links with a KMS HMAC_256 key, which only the link function may verify with', () => {
    const key = logicalId('AWS::KMS::Key', 'ApprovalLinkKey');
    synth.template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(declaredStatements('approval-link')).toContainEqual({ Action: 'kms:VerifyMac', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } });
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IR_APPROVAL_MAC_KEY: { 'Fn::GetAtt': [key, 'Arn'] } }) },
    });
    for (const other of ['approval-decide', 'approval-chat', 'security-hub-action'] as const) {
      expect(declaredStatements(other).flatMap((s) => [s.Action].flat())).not.toContain('kms:VerifyMac');
    }
  });

  it.each(APPROVAL_FUNCTION_NAMES)("gives the %s role exactly the actions it declares", (name) => {
    const actions = declaredStatements(name).flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(APPROVAL_GRANTS[name].flatMap((g) => g.actions).sort());
    for (const statement of declaredStatements(name)) expect(statement.Effect).toBe('Allow');
  });

  it('scopes the ledger writes to the ledger table and the resumptions to the acting playbooks', () => {
    const ledger = { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table', 'IncidentLedger'), 'Arn'] };
    const statements = declaredStatements('approval-decide');
    expect(statements.find((s) => s.Action === 'dynamodb:UpdateItem')?.Resource).toEqual(ledger);
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction')!.Resource as unknown[];
    expect(invoke).toEqual(ACTING_PLAYBOOKS.map((playbook) => ({ 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', playbookFunctionIdPrefix(playbook)), 'Arn'] })));
  });

  it('confines the ledger item grants of the public link function and the decision function to their partition keys (dynamodb:LeadingKeys)', () => {
    const ledger = { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table', 'IncidentLedger'), 'Arn'] };
    const confinedTo = (pattern: string) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] }, Null: { 'dynamodb:LeadingKeys': 'false' } });
    const ledgerStatements = (name: (typeof APPROVAL_FUNCTION_NAMES)[number]) =>
      declaredStatements(name)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ Action: s.Action, Resource: s.Resource, Condition: s.Condition }));
    expect(ledgerStatements('approval-link')).toEqual([
      { Action: 'dynamodb:GetItem', Resource: ledger, Condition: confinedTo('approval#*') },
      { Action: 'dynamodb:PutItem', Resource: ledger, Condition: confinedTo('approval-nonce#*') },
      { Action: 'dynamodb:UpdateItem', Resource: ledger, Condition: confinedTo('approval#*') },
    ]);
    // Scan names no partition key for LeadingKeys to test: unconditioned, read-only, and only behind AuthType AWS_IAM.
    expect(ledgerStatements('approval-decide')).toEqual([
      { Action: 'dynamodb:GetItem', Resource: ledger, Condition: confinedTo('approval#*') },
      { Action: 'dynamodb:Scan', Resource: ledger, Condition: undefined },
      // The identity proofs' nonces, apart from the links': the decision function cannot spend a link.
      { Action: 'dynamodb:PutItem', Resource: ledger, Condition: confinedTo('approval-proof#*') },
      { Action: 'dynamodb:UpdateItem', Resource: ledger, Condition: confinedTo('approval#*') },
    ]);
    expect(ledgerStatements('approval-chat')).toEqual([{ Action: 'dynamodb:UpdateItem', Resource: ledger, Condition: confinedTo('approval#*') }]);
    expect(declaredStatements('security-hub-action').flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the decision function reach STS for the identity proofs (no VPC) with no STS permission of its own (the operator signs the proof)', () => {
    const decide = synth.template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', 'ApprovalDecideFunction')]!;
    expect(decide.Properties.VpcConfig).toBeUndefined();
    expect(declaredStatements('approval-decide').flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sts:'))).toEqual([]);
  });

  it('adds approve and deny Chatbot custom actions invoking the chat decision function, attached to the channel, each command within the 100 characters AWS allows', () => {
    const chatFunction = synth.template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', 'ApprovalChatFunction')]!;
    const functionName = chatFunction.Properties.FunctionName as string;
    expect(functionName).toMatch(/^ir-chat-[0-9a-f]{12}$/);
    const actions = synth.template.findResources('AWS::Chatbot::CustomAction');
    expect(Object.keys(actions)).toHaveLength(2);
    for (const [id, action] of Object.entries(actions)) {
      const decision = id.includes('Approve') ? 'approve' : 'deny';
      const command = action.Properties.Definition.CommandText as string;
      expect(command).toBe(`lambda invoke --function-name ${functionName} --payload {"i":"$i","p":"$p","d":"${decision}"}`);
      expect(command.length).toBeLessThanOrEqual(100);
      expect(action.Properties.Attachments[0]).toEqual(
        expect.objectContaining({
          Criteria: [{ Operator: 'HAS_VALUE', VariableName: 'p' }],
          Variables: { i: 'event.metadata.additionalContext.approvalIncidentId', p: 'event.metadata.additionalContext.approvalPlanHash' },
        }),
      );
    }
    synth.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      CustomizationResourceArns: Object.keys(actions).map((id) => ({ 'Fn::GetAtt': [id, 'CustomActionArn'] })),
      GuardrailPolicies: Match.arrayWith([{ Ref: logicalId('AWS::IAM::ManagedPolicy', 'ChatApprovalGuardrail') }]),
    });
  });

  it("lets the channel's role invoke the chat decision function and nothing else", () => {
    const decide = { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ApprovalChatFunction'), 'Arn'] };
    const role = logicalId('AWS::IAM::Role', 'ChatChannelRole');
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: decide }]);
    synth.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: decide }] },
    });
  });

  it('names the configured chat channel to the chat function, which records it as who decided', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [logicalId('AWS::IAM::Role', 'ApprovalChatRole'), 'Arn'] },
      Environment: {
        Variables: Match.objectLike({
          IR_CHAT_CHANNELS: `Slack ${SLACK.channelId} (workspace ${SLACK.workspaceId})`,
          // The ids recorded with each chat decision (lambda/approval/chat-channel.ts chatOrigin).
          IR_CHAT_CHANNEL_IDS: JSON.stringify({ slack: { workspaceId: SLACK.workspaceId, channelId: SLACK.channelId } }),
        }),
      },
    });
  });

  it('lets no principal of the stack invoke the operator decision function directly (a direct invoke could forge the caller ARN)', () => {
    const decide = logicalId('AWS::Lambda::Function', 'ApprovalDecideFunction');
    const resources = synth.template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    // Every policy document of the stack: inline role policies, policies, managed policies.
    const statements: Statement[] = [];
    for (const resource of Object.values(resources)) {
      const props = resource.Properties ?? {};
      const documents = [
        ...(resource.Type === 'AWS::IAM::Role' ? ((props.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).map((p) => p.PolicyDocument) : []),
        ...(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type) ? [props.PolicyDocument as { Statement: Statement[] }] : []),
      ];
      for (const document of documents) statements.push(...document.Statement);
    }
    expect(statements.length).toBeGreaterThan(10);
    const invokes = (s: Statement) => [s.Action].flat().some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*' || a === '*');
    const reaches = (s: Statement) => JSON.stringify(s.Resource).includes(`"${decide}"`) || [s.Resource].flat().some((r) => typeof r === 'string' && r.includes('*'));
    expect(statements.filter((s) => s.Effect === 'Allow' && invokes(s) && reaches(s))).toEqual([]);
    // Nor does its resource policy grant anyone anything: the URL's AWS_IAM check is the only way in.
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties).includes(`"${decide}"`));
    expect(permissions).toEqual([]);
  });

  it('creates the Security Hub actions IR: plan and IR: respond, and a rule sending them to their function', () => {
    synth.template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Id: 'IrPlan', Name: 'IR: plan' });
    synth.template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Id: 'IrRespond', Name: 'IR: respond' });
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Custom Action'],
        resources: [
          { 'Fn::GetAtt': [logicalId('AWS::SecurityHub::ActionTarget', 'ApprovalIrPlanAction'), 'ActionTargetArn'] },
          { 'Fn::GetAtt': [logicalId('AWS::SecurityHub::ActionTarget', 'ApprovalIrRespondAction'), 'ActionTargetArn'] },
        ],
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ApprovalSecurityHubActionFunction'), 'Arn'] } })],
    });
  });

  it('keeps cdk-nag clean', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('creates none of it without config approval', () => {
    for (const type of ['AWS::Lambda::Url', 'AWS::Chatbot::CustomAction', 'AWS::SecurityHub::ActionTarget']) {
      expect(plain.template.findResources(type)).toEqual({});
    }
    expect(plain.template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'HMAC_256' } })).toEqual({});
  });
});
