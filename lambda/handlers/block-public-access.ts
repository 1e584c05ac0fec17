import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { blockPublicAccessPlaybook } from '../playbooks/block-public-access/playbook';
import { ACCOUNT_ALIAS_IAM } from '../runtime/account-alias-iam';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const BLOCK_PUBLIC_ACCESS: PlaybookEntry = {
  playbook: blockPublicAccessPlaybook,
  clientClasses: {
    // The account alias, for the notification (lambda/notify/account-alias.ts), on first use.
    iam: ACCOUNT_ALIAS_IAM,
    sts: STSClient,
    sns: SNSClient,
    // The playbook's own S3 calls (in the finding's account) and the evidence (security account): one class, imported on first use.
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    ...ACTING_CLIENTS,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, BLOCK_PUBLIC_ACCESS);
