import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { revokeCredentialsPlaybook } from '../playbooks/revoke-credentials/playbook';
import { handleInvocation } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const REVOKE_CREDENTIALS: PlaybookEntry = {
  playbook: revokeCredentialsPlaybook,
  clientClasses: {
    iam: IAMClient,
    cloudTrail: CloudTrailClient,
    sts: STSClient,
    sns: SNSClient,
    s3: S3Client,
    dynamodb: DynamoDBClient,
  },
};

export const handler = (event: unknown, context: LambdaContext) => handleInvocation(event, context, REVOKE_CREDENTIALS);
