import type { ApprovalFunctionName } from '../lambda-bundle/options';

/*
 * What each approval channel's function may do, declared as data like the
 * playbooks' step declarations: the roles are built from these
 * (approval-channels.ts) and test/cdk/approval.test.ts holds each role to
 * exactly its declaration. Each grant names what it is scoped to; the ARNs
 * come from the stack.
 */

export type ApprovalScope =
  /** The incident ledger table. */
  | 'ledger'
  /** The approval links' KMS HMAC key. */
  | 'link-key'
  /** The incidents/ objects of the evidence bucket, and its key. */
  | 'evidence-objects'
  | 'evidence-key'
  /** The functions of the playbooks that can wait for approval (they are resumed after a decision). */
  | 'waiting-playbooks'
  /** Every playbook function (a Security Hub action sends a finding to whichever the routing table names). */
  | 'every-playbook'
  /** The security account's GuardDuty detectors in the stack's region. */
  | 'guardduty-detector'
  /** Actions without resource-level permissions. */
  | 'any';

export interface ApprovalGrant {
  readonly actions: readonly string[];
  readonly scope: ApprovalScope;
  readonly why: string;
}

const RECORD_EVIDENCE: readonly ApprovalGrant[] = [
  { actions: ['s3:PutObject'], scope: 'evidence-objects', why: 'keeps each decision in the evidence bucket, beside the incident' },
  { actions: ['kms:GenerateDataKey'], scope: 'evidence-key', why: 'encrypts the decision object with the evidence bucket key' },
  { actions: ['lambda:InvokeFunction'], scope: 'waiting-playbooks', why: 'wakes the waiting playbook once the decision is recorded (asynchronous invocation)' },
];

export const APPROVAL_GRANTS: Readonly<Record<ApprovalFunctionName, readonly ApprovalGrant[]>> = {
  'approval-link': [
    { actions: ['dynamodb:GetItem'], scope: 'ledger', why: 'reads the pending approval to show its plan' },
    { actions: ['dynamodb:PutItem'], scope: 'ledger', why: "consumes the link's nonce (single use)" },
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', why: 'records the decision (one conditional write)' },
    { actions: ['kms:VerifyMac'], scope: 'link-key', why: "checks the link token's MAC; the key never leaves KMS" },
    ...RECORD_EVIDENCE,
  ],
  'approval-decide': [
    { actions: ['dynamodb:GetItem'], scope: 'ledger', why: 'reads an approval for `ir approve` and `ir deny`' },
    { actions: ['dynamodb:Scan'], scope: 'ledger', why: 'lists the pending approvals for `ir pending`' },
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', why: 'records the decision (one conditional write)' },
    ...RECORD_EVIDENCE,
  ],
  'approval-chat': [
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', why: 'records the decision of a chat button (one conditional write)' },
    ...RECORD_EVIDENCE,
  ],
  'security-hub-action': [
    { actions: ['guardduty:ListDetectors'], scope: 'any', why: "finds the security account's detector (no resource-level permissions)" },
    { actions: ['guardduty:GetFindings'], scope: 'guardduty-detector', why: 'reads the selected finding from GuardDuty, never from the event' },
    { actions: ['lambda:InvokeFunction'], scope: 'every-playbook', why: 'hands the finding to the playbook the routing table names' },
  ],
};
