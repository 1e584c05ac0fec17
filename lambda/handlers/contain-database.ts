import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { containDatabasePlaybook } from '../playbooks/contain-database/playbook';
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
    // Confirms the finding before acting (lambda/confirm/).
    guardDuty: GuardDutyClient,
    // Notes the response on the finding in Security Hub, after containment (lambda/close-loop/).
    securityHub: SECURITY_HUB_CLIENT,
    // The wait for a decision (restrict-database-network is approve by default): its schedules and links, on first use.
    scheduler: APPROVAL_SCHEDULER,
    lambda: APPROVAL_LINK_LAMBDA,
  },
  confirmFinding: startConfirmation,
  archiveFinding: archiveGuardDutyFinding,
  scheduleWriter: sdkScheduleWriter,
  linkMaker: sdkLinkMaker,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, CONTAIN_DATABASE);
