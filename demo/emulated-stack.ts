import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { EMULATOR_CONFIG_OVERRIDES } from '../emulator/runtime-config';
import { emulatorClientOptions } from '../emulator/clients';
import type { SeededAccount } from '../emulator/seed-account';
import { sdkClientConfig, type AwsClients } from '../lambda/aws/clients';
import { approvalSchema } from '../lambda/approval/schema';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../lambda/config/schema';
import { DEFAULT_STACK_NAME } from '../lib/naming';
import { EVIDENCE_BUCKET_OUTPUT, EVIDENCE_KEY_ARN_OUTPUT, LEDGER_TABLE_OUTPUT, RUNTIME_CONFIG_OUTPUT, TOPIC_ARN_OUTPUT } from '../lib/stack-outputs';

/*
 * The parts of the security stack a manual response finds through the
 * stack's outputs, made in the emulator as the CDK app makes them: the
 * incident ledger (DynamoDB, key "pk"), the evidence bucket (Object Lock,
 * governance mode, 365 days, SSE-KMS under a key of its own), and a
 * CloudFormation stack of the deployed name whose outputs name them, the
 * seeded topic and the configuration. The
 * emulator cannot run the CDK app's Lambdas, so `ir` answers the findings,
 * through the same outputs and code it uses against a real deployment.
 */

export const DEMO_STACK_NAME = DEFAULT_STACK_NAME;
export const DEMO_LEDGER_TABLE = 'guardduty-ir-incident-ledger';
export const DEMO_EVIDENCE_BUCKET = 'guardduty-ir-evidence-123456789012-us-east-1';
export const DEMO_RETENTION_DAYS = 365;
/** Three acting responses fit in the hour (the tests' brake meets the fourth); the demo allows one more for its approval (demo/run.ts). */
export const DEMO_CONTAINMENTS_PER_HOUR = 3;
/** The policy's tag: isolating an instance that holds cardholder data waits for a person (demo/approval.ts). */
export const APPROVAL_TAG = { key: 'data', value: 'cardholder' } as const;
/** The stack's EventBridge Scheduler group of the approval schedules. */
export const DEMO_SCHEDULE_GROUP = `${DEFAULT_STACK_NAME}-approvals`;

export interface EmulatedStack {
  readonly stackName: string;
  readonly ledgerTable: string;
  readonly evidenceBucket: string;
  /** The evidence bucket's KMS key (the stack's EvidenceKeyArn output): every evidence write names it. */
  readonly evidenceKeyArn: string;
  readonly topicArn: string;
  readonly config: RuntimeConfig;
}

export async function deployEmulatedStack(clients: AwsClients, endpoint: string, seed: SeededAccount, options: { readonly containmentsPerHour?: number } = {}): Promise<EmulatedStack> {
  const config: RuntimeConfig = {
    ...DEFAULT_RUNTIME_CONFIG,
    ...EMULATOR_CONFIG_OVERRIDES,
    mode: 'enforce',
    blastRadius: { maxContainmentsPerHour: options.containmentsPerHour ?? DEMO_CONTAINMENTS_PER_HOUR },
    // The approval policy: every other change is made at once, as without the key.
    approval: approvalSchema.parse({ rules: [{ id: 'cardholder-data', class: 'isolate', mode: 'approve', match: { tags: { [APPROVAL_TAG.key]: APPROVAL_TAG.value } } }] }),
  };
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: DEMO_LEDGER_TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // The approval schedules' group (lib/approval-schedules.ts): the playbook writes the escalation and deadline schedules in it.
  await (await clients.load('scheduler')).send(new CreateScheduleGroupCommand({ Name: DEMO_SCHEDULE_GROUP }));
  await clients.s3.send(new CreateBucketCommand({ Bucket: DEMO_EVIDENCE_BUCKET, ObjectLockEnabledForBucket: true }));
  await clients.s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: DEMO_EVIDENCE_BUCKET,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: DEMO_RETENTION_DAYS } } },
    }),
  );
  const cloudFormation = new CloudFormationClient(sdkClientConfig(emulatorClientOptions(endpoint, seed.region)));
  // The evidence key is made by the stack, as the CDK app makes it (lib/evidence-bucket.ts); the outputs are what `ir` reads (lib/stack-outputs.ts).
  const template = {
    Resources: {
      EvidenceKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          Description: 'Encrypts the incident evidence (emulated stack)',
          EnableKeyRotation: true,
          // The account administers its key, as the CDK's default key policy says (moto wants a policy named).
          KeyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${seed.accountId}:root` }, Action: 'kms:*', Resource: '*' }] },
        },
      },
    },
    Outputs: {
      [TOPIC_ARN_OUTPUT]: { Value: seed.notifications.topicArn },
      [LEDGER_TABLE_OUTPUT]: { Value: DEMO_LEDGER_TABLE },
      [EVIDENCE_BUCKET_OUTPUT]: { Value: DEMO_EVIDENCE_BUCKET },
      [EVIDENCE_KEY_ARN_OUTPUT]: { Value: { 'Fn::GetAtt': ['EvidenceKey', 'Arn'] } },
      [RUNTIME_CONFIG_OUTPUT]: { Value: JSON.stringify(config) },
    },
  };
  await cloudFormation.send(new CreateStackCommand({ StackName: DEMO_STACK_NAME, TemplateBody: JSON.stringify(template) }));
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: DEMO_STACK_NAME }));
  const evidenceKeyArn = Stacks[0]?.Outputs?.find((o) => o.OutputKey === EVIDENCE_KEY_ARN_OUTPUT)?.OutputValue;
  if (!evidenceKeyArn) throw new Error(`the emulated stack ${DEMO_STACK_NAME} has no ${EVIDENCE_KEY_ARN_OUTPUT} output`);
  // The bucket's default encryption is the stack's key, as lib/evidence-bucket.ts sets it.
  await clients.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: DEMO_EVIDENCE_BUCKET,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: evidenceKeyArn }, BucketKeyEnabled: true }] },
    }),
  );
  return { stackName: DEMO_STACK_NAME, ledgerTable: DEMO_LEDGER_TABLE, evidenceBucket: DEMO_EVIDENCE_BUCKET, evidenceKeyArn, topicArn: seed.notifications.topicArn, config };
}
