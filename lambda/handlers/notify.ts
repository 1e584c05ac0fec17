import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { notifyPlaybook } from '../playbooks/notify/playbook';
import { handleInvocation } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const NOTIFY: PlaybookEntry = {
  playbook: notifyPlaybook,
  clientClasses: { sns: SNSClient, s3: S3Client, dynamodb: DynamoDBClient },
};

export const handler = (event: unknown, context: LambdaContext) => handleInvocation(event, context, NOTIFY);
