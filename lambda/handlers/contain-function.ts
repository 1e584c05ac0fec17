import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { containFunctionPlaybook } from '../playbooks/contain-function/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { APPROVAL_LINK_LAMBDA } from '../runtime/approval-scheduler';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const CONTAIN_FUNCTION: PlaybookEntry = {
  playbook: containFunctionPlaybook,
  clientClasses: {
    ...ACTING_CLIENTS,
    // The function's configuration, concurrency and tags, and the throttle; the same deferred class serves the decision links.
    // Its steps load it (clients.load('lambda')) before their first call: imported once, on the first discovery.
    lambda: APPROVAL_LINK_LAMBDA,
    // The execution role's revoke policy (read for the record, then written).
    iam: IAMClient,
    sts: STSClient,
    sns: SNSClient,
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, CONTAIN_FUNCTION);
