import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { quarantineImagePlaybook } from '../playbooks/quarantine-image/playbook';
import { ACCOUNT_ALIAS_IAM } from '../runtime/account-alias-iam';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const QUARANTINE_IMAGE: PlaybookEntry = {
  playbook: quarantineImagePlaybook,
  clientClasses: {
    // The snapshot or image (EC2) and a Backup recovery point's tags (Backup).
    ec2: EC2Client,
    backup: BackupClient,
    // The account's alias, for the notification (lambda/notify/account-alias.ts), on first use.
    iam: ACCOUNT_ALIAS_IAM,
    sts: STSClient,
    sns: SNSClient,
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    ...ACTING_CLIENTS,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, QUARANTINE_IMAGE);
