import { PutRolePolicyCommand, PutUserPolicyCommand, type PutRolePolicyCommandInput, type PutUserPolicyCommandInput } from '@aws-sdk/client-iam';
import type { AwsClients } from '../aws/clients';
import type { StepSpec } from '../plan/types';

/*
 * "Revoke active sessions" as the IAM console does it: an inline policy
 * named AWSRevokeOlderSessions that denies everything to credentials issued
 * before now. It only affects temporary credentials (they carry
 * aws:TokenIssueTime); long-term keys must be deactivated separately.
 */

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

export const REVOKE_ROLE_SESSIONS: StepSpec = { kind: 'revoke-role-sessions', iamActions: ['iam:PutRolePolicy'], mutating: true, changeClass: 'revoke-sessions' };
export const REVOKE_USER_SESSIONS: StepSpec = { kind: 'revoke-user-sessions', iamActions: ['iam:PutUserPolicy'], mutating: true, changeClass: 'revoke-sessions' };

export function revokeOlderSessionsPolicy(issuedBefore: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } },
      },
    ],
  });
}

/** The PutRolePolicy request, so a plan can show exactly what its step sends. */
export function revokeRoleSessionsInput(roleName: string, issuedBefore: Date): PutRolePolicyCommandInput {
  return { RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(issuedBefore) };
}

/** The PutUserPolicy request, so a plan can show exactly what its step sends. */
export function revokeUserSessionsInput(userName: string, issuedBefore: Date): PutUserPolicyCommandInput {
  return { UserName: userName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(issuedBefore) };
}

export function putRevokeRolePolicy(clients: AwsClients, roleName: string, issuedBefore: Date) {
  return clients.iam.send(new PutRolePolicyCommand(revokeRoleSessionsInput(roleName, issuedBefore)));
}

export function putRevokeUserPolicy(clients: AwsClients, userName: string, issuedBefore: Date) {
  return clients.iam.send(new PutUserPolicyCommand(revokeUserSessionsInput(userName, issuedBefore)));
}

/** Service-linked roles live under /aws-service-role/ and must never be touched. */
export function isServiceLinkedRolePath(path: string | undefined): boolean {
  return (path ?? '').startsWith('/aws-service-role/');
}

/** Service-linked roles are named AWSServiceRoleFor<Service>: recognisable even when GetRole could not be read. */
export function isServiceLinkedRoleName(roleName: string): boolean {
  return roleName.startsWith('AWSServiceRoleFor');
}

/** IAM role names are unique regardless of case, and a name in any case reaches the same role: compare them so. */
export function isProtectedRoleName(roleName: string, protectedRoleNames: readonly string[]): boolean {
  const name = roleName.toLowerCase();
  return protectedRoleNames.some((protectedName) => protectedName.toLowerCase() === name);
}
