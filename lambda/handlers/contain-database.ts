import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { containDatabasePlaybook } from '../playbooks/contain-database/playbook';
import { ACCOUNT_ALIAS_IAM } from '../runtime/account-alias-iam';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const CONTAIN_DATABASE: PlaybookEntry = {
  playbook: containDatabasePlaybook,
  clientClasses: {
    // The database (RDS) and its VPC's isolation group (EC2).
    rds: RDSClient,
    ec2: EC2Client,
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

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, CONTAIN_DATABASE);
