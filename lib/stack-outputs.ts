import type { PlaybookName } from '../lambda/routing/playbook-names';
import { pascalCase } from './naming';

/*
 * Output keys of the stack: tools (the `ir` CLI, runbooks) find the deployed
 * functions and topic through these, so they are a contract. Free of CDK
 * imports so a CLI can import it without loading aws-cdk-lib.
 */

export const TOPIC_ARN_OUTPUT = 'NotificationTopicArn';
/** Only when the configuration asks for chat (lib/chat-notifications.ts). */
export const CHAT_TOPIC_ARN_OUTPUT = 'ChatTopicArn';
export const EVIDENCE_BUCKET_OUTPUT = 'EvidenceBucketName';
/** The evidence bucket's KMS key: `ir` names it on every evidence write, as the Lambdas do (IR_EVIDENCE_KEY_ARN). */
export const EVIDENCE_KEY_ARN_OUTPUT = 'EvidenceKeyArn';
/**
 * The runtime configuration the playbooks were deployed with (the JSON of
 * IR_RUNTIME_CONFIG): `ir plan` and `ir respond` plan with it, so a manual
 * response follows the deployed rules, not whatever cdk.json says today.
 */
export const RUNTIME_CONFIG_OUTPUT = 'RuntimeConfiguration';

export const LEDGER_TABLE_OUTPUT = 'IncidentLedgerTableName';
/** Only the home region's stack of a shared brake (blastRadius.homeRegion) has it. */
export const BRAKE_TABLE_OUTPUT = 'BlastRadiusBrakeTableName';

/**
 * Only when the configuration turns approvals on (config `approval`): the
 * operator decision function's URL (AuthType AWS_IAM), which `ir approve`,
 * `ir deny` and `ir pending` call with the operator's own credentials, and
 * the approval link function's URL (AuthType NONE), which the emailed links
 * point at.
 */
export const APPROVAL_DECISION_URL_OUTPUT = 'ApprovalDecisionUrl';
export const APPROVAL_LINK_URL_OUTPUT = 'ApprovalLinkUrl';

export function functionNameOutput(playbook: PlaybookName): string {
  return `${pascalCase(playbook)}FunctionName`;
}

export function functionArnOutput(playbook: PlaybookName): string {
  return `${pascalCase(playbook)}FunctionArn`;
}

export function failureQueueUrlOutput(playbook: PlaybookName): string {
  return `${pascalCase(playbook)}FailureQueueUrl`;
}
