import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { blockPublicAccessPlaybook } from '../playbooks/block-public-access/playbook';
import { ACCOUNT_ALIAS_IAM } from '../runtime/account-alias-iam';
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
    // Confirms the finding before acting (lambda/confirm/).
    guardDuty: GuardDutyClient,
    // Notes the response on the finding in Security Hub, after containment (lambda/close-loop/).
    securityHub: SECURITY_HUB_CLIENT,
    // Writes the schedules of a response that waits for a decision (lambda/approval/scheduler-writer.ts), on first use.
    scheduler: APPROVAL_SCHEDULER,
    // Finds the approval link function's URL for the decision links (lambda/approval/link-url.ts), on first use.
    lambda: APPROVAL_LINK_LAMBDA,
  },
  confirmFinding: startConfirmation,
  archiveFinding: archiveGuardDutyFinding,
  scheduleWriter: sdkScheduleWriter,
  linkMaker: sdkLinkMaker,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, BLOCK_PUBLIC_ACCESS);
