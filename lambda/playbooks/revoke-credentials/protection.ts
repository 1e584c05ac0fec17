import { block, pass, type GuardVerdict } from '../../guards/types';
import { PRINCIPAL_UNREADABLE } from '../../guards/unreadable';
import { isProtectedRoleName, isServiceLinkedRoleName, isServiceLinkedRolePath } from '../../iam/revoke-sessions';
import type { ResponderIdentity } from '../types';
import type { IamEntity, Lookup } from './facts';

/*
 * The playbook's own refusals, reported next to the guards. A blocking
 * verdict stops every mutating step; the plan still shows them.
 */

export const PROTECTED_PRINCIPAL = 'protected-principal';
export const MANUAL_RESPONSE = 'manual-response';
export { PRINCIPAL_UNREADABLE };

/** Service-linked roles belong to AWS services; the responder's own roles must keep working to finish the job. */
export function roleProtectionVerdict(roleName: string, role: Lookup<IamEntity>, responder: ResponderIdentity): GuardVerdict {
  if (isProtectedRoleName(roleName, responder.protectedRoleNames)) {
    return block(PROTECTED_PRINCIPAL, `role ${roleName} is one of the responder's own roles: revoking its sessions would stop the responder itself`);
  }
  const path = role.state === 'found' ? role.value.path : null;
  if (isServiceLinkedRolePath(path ?? undefined)) {
    return block(PROTECTED_PRINCIPAL, `role ${roleName} is service-linked (path ${path}): it belongs to an AWS service and is never changed`);
  }
  if (isServiceLinkedRoleName(roleName)) {
    return block(PROTECTED_PRINCIPAL, `role ${roleName} is named like a service-linked role (AWSServiceRoleFor*): it is never changed`);
  }
  return pass(PROTECTED_PRINCIPAL, `role ${roleName} is neither service-linked nor one of the responder's own roles`);
}

/**
 * A principal whose tags could not be read might carry the exempt tag, and
 * "never touch" must hold even then: refuse rather than guess. Returns
 * nothing when the tags were read, the principal is gone, or the plan is offline.
 */
export function unreadableVerdict(what: string, lookup: Lookup<IamEntity>, call: string): GuardVerdict[] {
  if (lookup.state !== 'failed') return [];
  return [
    block(
      PRINCIPAL_UNREADABLE,
      `${what} could not be read (${call}: ${lookup.error.code}), so the exempt-tag guard cannot see its tags; nothing is changed`,
    ),
  ];
}

/** Root, federated and service principals are answered by people; the warnings say how. */
export function manualResponseVerdict(why: string): GuardVerdict {
  return block(MANUAL_RESPONSE, `${why}: the responder does not revoke these credentials itself; see the warnings for the manual steps`);
}
