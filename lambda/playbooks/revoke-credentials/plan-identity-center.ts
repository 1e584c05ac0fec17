import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { RevokeCredentialsFacts, RoleFacts } from './facts';
import { IDENTITY_CENTER_ROLE_PATH } from './principal';
import { manualResponseVerdict } from './protection';

/*
 * A role IAM Identity Center made for a permission set (AWSReservedSSO_*,
 * path /aws-reserved/sso.amazonaws.com/). IAM refuses every change to such a
 * role, PutRolePolicy included ("UnmodifiableEntity: Cannot perform the
 * operation on the protected role ... this role is only modifiable by AWS"),
 * so the AWSRevokeOlderSessions policy the responder puts on other roles
 * cannot be put on it; the IAM console's "Revoke active sessions" is refused
 * the same way. What ends such sessions lives in IAM Identity Center (the
 * organization's management account or its delegated administrator), which
 * the responder has no access to: the plan is a manual one, with the exact
 * steps, and the read-only investigation of the key and the role.
 */

export type IdentityCenterReading =
  /** An Identity Center role: why the plan is manual. */
  | { readonly isIdentityCenter: true; readonly verdict: GuardVerdict }
  /** An ordinary role, with what the plan says when its name looks like an Identity Center role's. */
  | { readonly isIdentityCenter: false; readonly warnings: string[] };

/** Whether the role is an Identity Center role: its name, confirmed by its path when the role was read. */
export function readAsIdentityCenterRole(facts: RoleFacts): IdentityCenterReading {
  const { roleName, identityCenter } = facts.principal;
  const manual = (how: string): IdentityCenterReading => ({
    isIdentityCenter: true,
    verdict: manualResponseVerdict(`IAM role ${roleName} is an IAM Identity Center permission-set role (${how}), which IAM lets only AWS modify`),
  });
  if (identityCenter === null) return { isIdentityCenter: false, warnings: [] };
  if (facts.role.state !== 'found') return manual('its name; the role was not read');
  const { path } = facts.role.value;
  if (path === IDENTITY_CENTER_ROLE_PATH) return manual(`path ${path}`);
  // A role someone created with a look-alike name is an ordinary role: its sessions can be revoked, and are.
  return {
    isIdentityCenter: false,
    warnings: [`IAM role ${roleName} is named like an IAM Identity Center role, but its path is ${path ?? '(none)'}, not ${IDENTITY_CENTER_ROLE_PATH}: it is answered as an ordinary role.`],
  };
}

function identityCenterSteps(facts: RoleFacts, issuedBefore: string): string[] {
  const { roleName, identityCenter, accessKeyId } = facts.principal;
  const user = identityCenter?.userName ?? null;
  const who = user ? `Identity Center user ${user}` : 'the Identity Center user (the role session name, in CloudTrail for key ' + (accessKeyId ?? '(none named)') + ')';
  const permissionSet = identityCenter?.permissionSet ?? '(the permission set behind the role)';
  const userId = user ? `*:${user}` : '*:<the user name>';
  const deny = JSON.stringify({
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { StringLike: { 'aws:userid': userId }, DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
  });
  return [
    `MANUAL: revoke the IAM Identity Center sessions of ${who} in the console: IAM Identity Center (management account or delegated administrator) > Users > ` +
      `${user ?? '<the user>'} > Active sessions > select every session > Delete session. This signs the user out of the AWS access portal so it gets no new credentials; ` +
      `it does not end the role credentials already issued (they last up to the permission set's session duration, at most 12 hours).`,
    `MANUAL: end the credentials already issued. IAM refuses any change to ${roleName} (UnmodifiableEntity), so the responder cannot revoke its sessions: ` +
      `in IAM Identity Center > Permission sets > ${permissionSet} > Inline policy, add the statement ${deny}, save, and update the permission set in every ` +
      'account it is provisioned to (or attach the same statement as a service control policy, for the whole organization at once). Remove it once the user is safe again.',
    `MANUAL: if the identity itself is compromised, disable ${who} (Users > ${user ?? '<the user>'} > Disable user access) or reset its password and MFA, ` +
      'and review the other accounts and permission sets it is assigned.',
  ];
}

/**
 * The manual plan of an Identity Center role: nothing is changed, the
 * warnings give the steps, and what the key and the role did is still read.
 */
export function planForIdentityCenterRole(
  input: PlanningInput<RevokeCredentialsFacts>,
  facts: RoleFacts,
  base: Pick<PlaybookPlan, 'verdicts' | 'resourceTags' | 'resource'>,
  offline: readonly string[],
  investigation: readonly PlannedStep[],
): PlaybookPlan {
  const { identityCenter } = facts.principal;
  return {
    ...base,
    resource: { ...base.resource, identityCenter: { permissionSet: identityCenter?.permissionSet ?? null, userName: identityCenter?.userName ?? null } },
    steps: [...investigation],
    warnings: [...offline, ...identityCenterSteps(facts, input.now.toISOString())],
  };
}
