import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { notifyPlaybook } from '../playbooks/notify/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { SECURITY_HUB_CLIENT } from '../runtime/security-hub-client';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const NOTIFY: PlaybookEntry = {
  playbook: notifyPlaybook,
  // securityHub: the note on the finding in Security Hub (lambda/close-loop/), when the configuration asks for it.
  clientClasses: { sns: SNSClient, s3: EVIDENCE_S3, dynamodb: DynamoDBClient, securityHub: SECURITY_HUB_CLIENT },
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, NOTIFY);
