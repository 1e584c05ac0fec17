import { CloudFormationClient, DescribeStacksCommand, type CloudFormationClientResolvedConfig, type Output, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-cloudformation';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  CHAT_TOPIC_ARN_OUTPUT,
  EVIDENCE_BUCKET_OUTPUT,
  EVIDENCE_KEY_ARN_OUTPUT,
  LEDGER_TABLE_OUTPUT,
  RUNTIME_CONFIG_OUTPUT,
  TOPIC_ARN_OUTPUT,
} from '../../../lib/stack-outputs';

/*
 * A deployed security stack as CloudFormation describes it, for the `ir`
 * commands that find their trail (topic, ledger, evidence, configuration)
 * through its outputs (cli/deployment/deployed-stack.ts).
 */

export const DEPLOYED = {
  stackName: 'GuardDutyIncidentResponse',
  topicArn: 'arn:aws:sns:us-east-1:111111111111:ir-deployed',
  chatTopicArn: 'arn:aws:sns:us-east-1:111111111111:ir-deployed-chat',
  ledgerTable: 'ir-ledger-deployed',
  evidenceBucket: 'ir-evidence-deployed',
  evidenceKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
} as const;

export function deployedOutputs(config: unknown | undefined, drop: readonly string[] = []): Output[] {
  const all: Output[] = [
    { OutputKey: TOPIC_ARN_OUTPUT, OutputValue: DEPLOYED.topicArn },
    { OutputKey: LEDGER_TABLE_OUTPUT, OutputValue: DEPLOYED.ledgerTable },
    { OutputKey: EVIDENCE_BUCKET_OUTPUT, OutputValue: DEPLOYED.evidenceBucket },
    { OutputKey: EVIDENCE_KEY_ARN_OUTPUT, OutputValue: DEPLOYED.evidenceKeyArn },
    ...(config === undefined ? [] : [{ OutputKey: RUNTIME_CONFIG_OUTPUT, OutputValue: JSON.stringify(config) }]),
  ];
  return all.filter((o) => !drop.includes(o.OutputKey!));
}

/** The output a stack with chat configured adds (lib/stack-outputs.ts). */
export const CHAT_OUTPUT: Output = { OutputKey: CHAT_TOPIC_ARN_OUTPUT, OutputValue: DEPLOYED.chatTopicArn };

export type CloudFormationStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, CloudFormationClientResolvedConfig>;

/** CloudFormation answering DescribeStacks with the stack and these outputs; `deployed(undefined)`: no such stack. */
export function useDeployedStack(): { readonly mock: CloudFormationStub; deployed(outputs: Output[] | undefined, stackName?: string): void } {
  const mock = mockClient(CloudFormationClient);
  return {
    mock,
    deployed(outputs, stackName = DEPLOYED.stackName) {
      mock.reset();
      if (outputs === undefined) {
        mock.on(DescribeStacksCommand).rejects(Object.assign(new Error(`Stack with id ${stackName} does not exist`), { name: 'ValidationError' }));
        return;
      }
      mock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: stackName, CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: outputs }] });
    },
  };
}
