import { NONCE_KEY_PREFIX, PROOF_NONCE_KEY_PREFIX } from '../../lambda/approval/nonces';
import { APPROVAL_KEY_PREFIX } from '../../lambda/approval/pending';
import type { ApprovalFunctionName } from '../lambda-bundle/options';

/*
 * What each approval channel's function may do, declared as data like the
 * playbooks' step declarations: the roles are built from these
 * (approval-channels.ts) and test/cdk/approval.test.ts holds each role to
 * exactly its declaration. Each grant names what it is scoped to; the ARNs
 * come from the stack.
 *
 * The ledger is shared with every incident and the blast-radius brake, and
 * the link function is public (its URL has AuthType NONE): the item-level
 * grants are confined to the partition keys the function needs, with the
 * dynamodb:LeadingKeys condition (leadingKeys). Scan cannot be: it names no
 * partition key, so LeadingKeys has no value to test (a ForAllValues test on
 * it would pass vacuously). `ir pending` needs it because the ledger has one
 * key and no index to Query "every approval" by; it is read-only, only the
 * decision function (AuthType AWS_IAM) has it, and the function answers only
 * the approval items (the Scan's filter and approvalViewOf).
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
  /** Ledger grants: the partition keys (StringLike patterns) the actions may touch, enforced by dynamodb:LeadingKeys. */
  readonly leadingKeys?: readonly string[];
  readonly why: string;
}

/** The pending approvals' items (lambda/approval/pending.ts). */
export const APPROVAL_ITEMS = `${APPROVAL_KEY_PREFIX}*`;
/** The approval links' used nonces (lambda/approval/nonces.ts). */
export const NONCE_ITEMS = `${NONCE_KEY_PREFIX}*`;
/** The operators' identity proofs' used nonces (lambda/approval/verify-identity-proof.ts): a key space apart, so no proof spends a link. */
export const PROOF_NONCE_ITEMS = `${PROOF_NONCE_KEY_PREFIX}*`;

const RECORD_EVIDENCE: readonly ApprovalGrant[] = [
  { actions: ['s3:PutObject'], scope: 'evidence-objects', why: 'keeps each decision in the evidence bucket, beside the incident' },
  { actions: ['kms:GenerateDataKey'], scope: 'evidence-key', why: 'encrypts the decision object with the evidence bucket key' },
  { actions: ['lambda:InvokeFunction'], scope: 'waiting-playbooks', why: 'wakes the waiting playbook once the decision is recorded (asynchronous invocation)' },
];

export const APPROVAL_GRANTS: Readonly<Record<ApprovalFunctionName, readonly ApprovalGrant[]>> = {
  'approval-link': [
    { actions: ['dynamodb:GetItem'], scope: 'ledger', leadingKeys: [APPROVAL_ITEMS], why: 'reads the pending approval to show its plan' },
    { actions: ['dynamodb:PutItem'], scope: 'ledger', leadingKeys: [NONCE_ITEMS], why: "consumes the link's nonce (single use)" },
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', leadingKeys: [APPROVAL_ITEMS], why: 'records the decision (one conditional write)' },
    { actions: ['kms:VerifyMac'], scope: 'link-key', why: "checks the link token's MAC; the key never leaves KMS" },
    ...RECORD_EVIDENCE,
  ],
  'approval-decide': [
    { actions: ['dynamodb:GetItem'], scope: 'ledger', leadingKeys: [APPROVAL_ITEMS], why: 'reads an approval for `ir approve` and `ir deny`' },
    { actions: ['dynamodb:Scan'], scope: 'ledger', why: 'lists the pending approvals for `ir pending` (no partition key to confine: see above)' },
    // No sts:GetCallerIdentity: the identity proof is signed by the operator, and STS checks the operator's signature, not this role.
    { actions: ['dynamodb:PutItem'], scope: 'ledger', leadingKeys: [PROOF_NONCE_ITEMS], why: "spends the identity proof's nonce (single use)" },
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', leadingKeys: [APPROVAL_ITEMS], why: 'records the decision (one conditional write)' },
    ...RECORD_EVIDENCE,
  ],
  'approval-chat': [
    { actions: ['dynamodb:UpdateItem'], scope: 'ledger', leadingKeys: [APPROVAL_ITEMS], why: 'records the decision of a chat button (one conditional write)' },
    ...RECORD_EVIDENCE,
  ],
  'security-hub-action': [
    { actions: ['guardduty:ListDetectors'], scope: 'any', why: "finds the security account's detector (no resource-level permissions)" },
    { actions: ['guardduty:GetFindings'], scope: 'guardduty-detector', why: 'reads the selected finding from GuardDuty, never from the event' },
    { actions: ['lambda:InvokeFunction'], scope: 'every-playbook', why: 'hands the finding to the playbook the routing table names' },
  ],
};
