import { EXEMPT_PRINCIPAL } from '../../guards/exemptions';
import { MANUAL_RESPONSE } from '../../guards/manual-response';
import type { GuardVerdict } from '../../guards/types';
import { block, pass } from '../../guards/types';
import { PRINCIPAL_UNREADABLE } from '../../guards/unreadable';
import { matchingPrincipalPattern, principalName as who, type PrincipalRef } from '../../iam/principal-patterns';
import { protectionOf, type ProtectedCandidate, type Protection } from '../../iam/protected-principals';
import type { PlanningInput } from '../types';
import type { IamEntity, Lookup } from './facts';

/*
 * The playbook's own refusals, reported next to the guards. A blocking
 * verdict stops every mutating step; the plan still shows them.
 */

export const PROTECTED_PRINCIPAL = 'protected-principal';
export { EXEMPT_PRINCIPAL, MANUAL_RESPONSE, PRINCIPAL_UNREADABLE };

export interface ProtectionRuling {
  readonly verdict: GuardVerdict;
  /** Set when the principal is never revoked: its plan holds no revoking step and gives this manual step instead. */
  readonly protection?: Protection;
}

/**
 * Service-linked roles belong to AWS services, the responder's own roles must
 * keep working to finish the job, and break-glass principals
 * (credentials.protectedPrincipals) must keep working for the people who
 * answer the incident: none of them is ever revoked.
 */
export function principalProtection(principal: ProtectedCandidate, input: PlanningInput<unknown>): ProtectionRuling {
  const protection = protectionOf(principal, {
    responderRoleNames: input.responder.protectedRoleNames,
    protectedPrincipals: input.config.credentials.protectedPrincipals,
  });
  if (protection) return { verdict: block(PROTECTED_PRINCIPAL, protection.why), protection };
  const kinds = principal.kind === 'role' ? "neither service-linked, one of the responder's own roles, nor" : 'not';
  return { verdict: pass(PROTECTED_PRINCIPAL, `${who(principal)} is ${kinds} in credentials.protectedPrincipals`) };
}

/**
 * Exemption of a credential finding comes from the configuration alone: a
 * principal's own tags never exempt it, because whoever holds its
 * credentials may be able to tag it (iam:TagUser on itself is common).
 */
export function exemptPrincipalVerdict(principal: PrincipalRef, input: PlanningInput<unknown>): GuardVerdict {
  const pattern = matchingPrincipalPattern(input.config.credentials.exemptPrincipals, principal);
  return pattern === undefined
    ? pass(EXEMPT_PRINCIPAL, `${who(principal)} is not in credentials.exemptPrincipals (a principal's own tags never exempt it)`)
    : block(EXEMPT_PRINCIPAL, `${who(principal)} is exempt (credentials.exemptPrincipals: ${pattern}): the responder does not act on it`);
}

/**
 * A principal that could not be read is not verified (its ARN, its path:
 * service-linked or not), so the responder refuses rather than guess.
 * Returns nothing when it was read, is gone, or the plan is offline.
 */
export function unreadableVerdict(what: string, lookup: Lookup<IamEntity>, call: string): GuardVerdict[] {
  if (lookup.state !== 'failed') return [];
  return [
    block(
      PRINCIPAL_UNREADABLE,
      `${what} could not be read (${call}: ${lookup.error.code}), so it could not be verified; nothing is changed`,
    ),
  ];
}

/** Root, federated, service and Identity Center principals are answered by people; the warnings say how. */
export function manualResponseVerdict(why: string): GuardVerdict {
  return block(MANUAL_RESPONSE, `${why}: the responder does not revoke these credentials itself; see the warnings for the manual steps`);
}
