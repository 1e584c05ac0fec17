import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { revokeCredentialsPlaybook } from '../playbooks/revoke-credentials/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { INVESTIGATION_CLOUDTRAIL } from '../runtime/investigation-cloudtrail';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const REVOKE_CREDENTIALS: PlaybookEntry = {
  playbook: revokeCredentialsPlaybook,
  clientClasses: {
    iam: IAMClient,
    // What the key did, looked up after it is deactivated (investigation/key-events-step.ts), on first use.
    cloudTrail: INVESTIGATION_CLOUDTRAIL,
    sts: STSClient,
    sns: SNSClient,
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    ...ACTING_CLIENTS,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, REVOKE_CREDENTIALS);
