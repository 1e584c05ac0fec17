import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { containFunctionPlaybook } from '../playbooks/contain-function/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { SECURITY_HUB_CLIENT } from '../runtime/security-hub-client';
import { APPROVAL_LINK_LAMBDA, APPROVAL_SCHEDULER } from '../runtime/approval-scheduler';
import { sdkLinkMaker } from '../approval/sdk-link-maker';
import { sdkScheduleWriter } from '../approval/scheduler-writer';
import { archiveGuardDutyFinding } from '../close-loop/archiver';
import { startConfirmation } from '../confirm/confirmation';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const CONTAIN_FUNCTION: PlaybookEntry = {
  playbook: containFunctionPlaybook,
  clientClasses: {
    // The function's configuration, concurrency and tags, and the throttle; the same deferred class serves the decision links.
    // Its steps load it (clients.load('lambda')) before their first call: imported once, on the first discovery.
    lambda: APPROVAL_LINK_LAMBDA,
    // The execution role's revoke policy (read for the record, then written).
    iam: IAMClient,
    sts: STSClient,
    sns: SNSClient,
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    // Confirms the finding before acting (lambda/confirm/).
    guardDuty: GuardDutyClient,
    // Notes the response on the finding in Security Hub, after containment (lambda/close-loop/).
    securityHub: SECURITY_HUB_CLIENT,
    // Writes the schedules of a response that waits for a decision (lambda/approval/scheduler-writer.ts), on first use.
    scheduler: APPROVAL_SCHEDULER,
  },
  confirmFinding: startConfirmation,
  archiveFinding: archiveGuardDutyFinding,
  scheduleWriter: sdkScheduleWriter,
  linkMaker: sdkLinkMaker,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, CONTAIN_FUNCTION);
