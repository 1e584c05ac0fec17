import { matchingPrincipalPattern } from '../../iam/principal-patterns';
import { protectionOf } from '../../iam/protected-principals';
import type { PlanningInput } from '../types';
import { parseRoleArn, type ExecutionRole } from '../../finding/lambda-function';

/*
 * Whether the function's execution role may have its sessions revoked. A
 * refusal here takes only the revocation out of the plan (with the manual
 * step in its place); the throttle still goes ahead. The same refusals as
 * revoke-credentials': the responder's own roles, service-linked roles and
 * break-glass principals (lambda/iam/protected-principals.ts), principals
 * exempt by configuration, and a role that is not in the finding's account.
 */

export type RoleDecision =
  | { readonly revoke: true; readonly role: ExecutionRole }
  | { readonly revoke: false; readonly role: ExecutionRole | null; readonly warning: string };

export function executionRoleDecision(roleArn: string | null, source: string, input: PlanningInput<unknown>): RoleDecision {
  if (roleArn === null) return { revoke: false, role: null, warning: `${source} names no execution role: no sessions are revoked.` };
  const role = parseRoleArn(roleArn);
  if (!role) return { revoke: false, role: null, warning: `the execution role ${source} names is not a well-formed IAM role ARN: no sessions are revoked; look at the function's role by hand.` };
  const accountId = input.finding.accountId ?? null;
  if (accountId === null || role.accountId !== accountId) {
    return {
      revoke: false,
      role,
      warning: `execution role ${role.roleName} is in account ${role.accountId}, not the finding's account ${accountId ?? '(none)'}: the responder does not revoke it; revoke its sessions by hand once you know whose it is.`,
    };
  }
  const protection = protectionOf(
    { kind: 'role', name: role.roleName, accountId, path: role.path },
    { responderRoleNames: input.responder.protectedRoleNames, protectedPrincipals: input.config.credentials.protectedPrincipals },
  );
  if (protection) return { revoke: false, role, warning: protection.manualStep };
  const exempt = matchingPrincipalPattern(input.config.credentials.exemptPrincipals, { kind: 'role', name: role.roleName, accountId });
  if (exempt !== undefined) {
    return { revoke: false, role, warning: `execution role ${role.roleName} is exempt (credentials.exemptPrincipals: ${exempt}): its sessions are not revoked; the function is still throttled.` };
  }
  return { revoke: true, role };
}
