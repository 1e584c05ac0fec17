import { GetRolePolicyCommand, GetUserPolicyCommand, ListAccessKeysCommand, NoSuchEntityException, type IAMClient } from '@aws-sdk/client-iam';
import { REVOKE_POLICY_NAME } from '../../../lambda/iam/revoke-sessions';

/* Reads of the emulator's IAM state, in the terms the revocation assertions use. */

export interface PolicyStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

export async function accessKeyStatuses(iam: IAMClient, userName: string): Promise<Record<string, string>> {
  const { AccessKeyMetadata = [] } = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries(AccessKeyMetadata.map((key) => [key.AccessKeyId ?? '', key.Status ?? '']));
}

/** IAM returns policy documents URL-encoded. */
export function parsePolicyDocument(text: string): PolicyDocument {
  const json = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
  return JSON.parse(json) as PolicyDocument;
}

async function orNullWhenMissing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NoSuchEntityException) return null;
    throw error;
  }
}

export async function userRevokePolicy(iam: IAMClient, userName: string): Promise<PolicyDocument | null> {
  const result = await orNullWhenMissing(() => iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: REVOKE_POLICY_NAME })));
  return result?.PolicyDocument ? parsePolicyDocument(result.PolicyDocument) : null;
}

export async function roleRevokePolicy(iam: IAMClient, roleName: string): Promise<PolicyDocument | null> {
  const result = await orNullWhenMissing(() => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME })));
  return result?.PolicyDocument ? parsePolicyDocument(result.PolicyDocument) : null;
}

/** The aws:TokenIssueTime cut-off of a revoke-older-sessions policy, or null when the policy has none. */
export function tokenIssueCutoff(policy: PolicyDocument): Date | null {
  const statement = policy.Statement.find((s) => s.Effect === 'Deny' && s.Condition?.DateLessThan?.['aws:TokenIssueTime'] !== undefined);
  const value = statement?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  return value === undefined ? null : new Date(value);
}
