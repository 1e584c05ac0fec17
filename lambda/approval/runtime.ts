import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from '../zod';
import { sdkClientConfig } from '../aws/clients';
import { PLAYBOOK_NAMES } from '../routing/playbook-names';
import type { DecisionDependencies } from './apply-decision';
import type { MacKey } from './mac-key';
import type { PlaybookFunctions } from './resume-playbook';

/*
 * What the stack hands the two decision functions (lib/approval/), checked
 * once per cold start, and the clients they use: through the project's one
 * client configuration (lambda/aws/clients.ts, sdkClientConfig), with the
 * function role's credentials.
 */

const playbookFunctionsSchema = z.partialRecord(z.enum(PLAYBOOK_NAMES), z.string().check(z.minLength(1)));

const environmentSchema = z.object({
  IR_LEDGER_TABLE: z.string().check(z.minLength(1)),
  IR_PLAYBOOK_FUNCTIONS: z.string(),
  IR_EVIDENCE_BUCKET: z.optional(z.string()),
  IR_EVIDENCE_KEY_ARN: z.optional(z.string()),
  /** The KMS HMAC key of the approval links: only the email function has it. */
  IR_APPROVAL_MAC_KEY: z.optional(z.string()),
  AWS_REGION: z.string(),
});

export interface ApprovalEnvironment {
  readonly ledgerTable: string;
  readonly playbookFunctions: PlaybookFunctions;
  readonly evidence: { readonly bucket: string; readonly keyArn?: string } | undefined;
  readonly macKeyId: string | undefined;
  readonly region: string;
}

export function readApprovalEnvironment(env: NodeJS.ProcessEnv = process.env): ApprovalEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid Lambda environment: ${issue.path.join('.')}: ${issue.message}`);
  }
  let functions: unknown;
  try {
    functions = JSON.parse(parsed.data.IR_PLAYBOOK_FUNCTIONS);
  } catch {
    throw new Error('invalid Lambda environment: IR_PLAYBOOK_FUNCTIONS is not JSON');
  }
  const playbookFunctions = playbookFunctionsSchema.safeParse(functions);
  if (!playbookFunctions.success) throw new Error('invalid Lambda environment: IR_PLAYBOOK_FUNCTIONS is not a map of playbook to function name');
  const { IR_EVIDENCE_BUCKET: bucket, IR_EVIDENCE_KEY_ARN: keyArn } = parsed.data;
  return {
    ledgerTable: parsed.data.IR_LEDGER_TABLE,
    playbookFunctions: playbookFunctions.data,
    evidence: bucket ? { bucket, ...(keyArn ? { keyArn } : {}) } : undefined,
    macKeyId: parsed.data.IR_APPROVAL_MAC_KEY,
    region: parsed.data.AWS_REGION,
  };
}

export function decisionDependencies(env: ApprovalEnvironment): DecisionDependencies {
  const options = { region: env.region };
  const dynamodb = new DynamoDBClient(sdkClientConfig(options));
  const evidence = env.evidence;
  return {
    ledger: { dynamodb, table: env.ledgerTable },
    evidence: evidence
      ? {
          ...evidence,
          region: env.region,
          // The S3 client is loaded on first use: a decision that writes no evidence never pays for it.
          s3: async () => {
            const { S3Client } = await import('../evidence/s3-sdk');
            return new S3Client(sdkClientConfig(options));
          },
        }
      : undefined,
    lambda: new LambdaClient(sdkClientConfig(options)),
    playbookFunctions: env.playbookFunctions,
  };
}

export function approvalMacKey(env: ApprovalEnvironment): MacKey {
  if (!env.macKeyId) throw new Error('invalid Lambda environment: IR_APPROVAL_MAC_KEY: the approval link function needs its KMS HMAC key');
  return { kms: new KMSClient(sdkClientConfig({ region: env.region })), keyId: env.macKeyId };
}
