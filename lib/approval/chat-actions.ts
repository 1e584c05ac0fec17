import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { chatButtonPayload } from '../../lambda/approval/chat-channel';
import { CHAT_VARIABLE_PATHS } from '../../lambda/approval/chat-context';
import type { ChatNotifications } from '../chat-notifications';

/*
 * The approve and deny buttons of the chat notification: two AWS Chatbot
 * custom actions, attached to every channel configuration of the stack
 * (CustomizationResourceArns). Each runs `lambda invoke` on the chat
 * decision function (lambda/handlers/approval-chat.ts; never the operator
 * decision function, whose recorded ARN a direct invoke could forge) with
 * the incident id and plan hash the notification carries (lambda/approval/chat-context.ts), under the channel's role. The
 * role, and the channel's guardrail, allow exactly that one action on that
 * one function, nothing else.
 */

export interface ChatApprovalActionsProps {
  readonly chat: ChatNotifications;
  /** The chat decision function: the only function the channel role may invoke. */
  readonly chatFunction: lambda.IFunction;
  /** Its name as written in the command (chatDecisionFunctionName): a literal, so the command's length is known at synth. */
  readonly chatFunctionName: string;
}

export class ChatApprovalActions extends Construct {
  readonly approve: chatbot.CfnCustomAction;
  readonly deny: chatbot.CfnCustomAction;
  /** The guardrail added beside ReadOnlyAccess: a channel member can invoke the chat decision function and nothing else that writes. */
  readonly guardrail: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ChatApprovalActionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const functionArn = props.chatFunction.functionArn;
    const invoke = new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] });
    props.chat.role.addToPrincipalPolicy(invoke);
    this.guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: `AWS Chatbot guardrail of ${stack.stackName}: the approve and deny buttons only`,
      statements: [invoke],
    });

    const action = (decision: 'approve' | 'deny', buttonText: string) =>
      new chatbot.CfnCustomAction(this, decision === 'approve' ? 'Approve' : 'Deny', {
        // Custom action names are unique per account: the stack name (one per region) keeps them apart.
        actionName: `${stack.stackName}-${decision}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64),
        definition: {
          // At most 100 characters (the Chatbot API's limit): a short function name and single-letter keys and variables.
          commandText: `lambda invoke --function-name ${props.chatFunctionName} --payload ${chatButtonPayload(decision, { incidentId: '$i', planHash: '$p' })}`,
        },
        attachments: [
          {
            buttonText,
            criteria: [{ operator: 'HAS_VALUE', variableName: 'p' }],
            variables: { i: CHAT_VARIABLE_PATHS.incidentId, p: CHAT_VARIABLE_PATHS.planHash },
          },
        ],
      });
    this.approve = action('approve', 'Approve plan');
    this.deny = action('deny', 'Deny plan');

    const customizations = [this.approve.attrCustomActionArn, this.deny.attrCustomActionArn];
    const guardrails = [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess').managedPolicyArn, this.guardrail.managedPolicyArn];
    const slack = props.chat.slack?.node.defaultChild as chatbot.CfnSlackChannelConfiguration | undefined;
    slack?.addPropertyOverride('CustomizationResourceArns', customizations);
    slack?.addPropertyOverride('GuardrailPolicies', guardrails);
    props.chat.teams?.addPropertyOverride('CustomizationResourceArns', customizations);
    props.chat.teams?.addPropertyOverride('GuardrailPolicies', guardrails);
  }
}
