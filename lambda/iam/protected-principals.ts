import { matchingPrincipalPattern, principalName, type PrincipalRef } from './principal-patterns';
import { isProtectedRoleName, isServiceLinkedRoleName, isServiceLinkedRolePath } from './revoke-sessions';

/*
 * The principals the responder never revokes, whichever playbook meets
 * them (revoke-credentials, and contain-instance's instance-role
 * revocation): service-linked roles, the responder's own roles, and the
 * break-glass principals the configuration names
 * (credentials.protectedPrincipals). One decision, so both playbooks refuse
 * the same principals for the same reasons; the plan holds no revoking step
 * for them and tells people what to do by hand instead.
 */

export interface ProtectionPolicy {
  /** IAM role names the responder runs as (its Lambda roles, the member role). */
  readonly responderRoleNames: readonly string[];
  /** credentials.protectedPrincipals of the configuration. */
  readonly protectedPrincipals: readonly string[];
}

export interface Protection {
  /** Why the principal is never revoked, for the report. */
  readonly why: string;
  /** What people do instead, for the plan's warnings. */
  readonly manualStep: string;
}

export interface ProtectedCandidate extends PrincipalRef {
  /** The IAM path when it was read (a service-linked role lives under /aws-service-role/). */
  readonly path: string | null;
}

function protection(why: string, byHand: string): Protection {
  return { why, manualStep: `${why}. Instead, by hand: ${byHand}.` };
}

const CONTAIN_BY_HAND = 'find in CloudTrail what used its credentials and contain that resource';

/** Why the principal must never be revoked, or undefined when the responder may revoke it. */
export function protectionOf(principal: ProtectedCandidate, policy: ProtectionPolicy): Protection | undefined {
  const who = principalName(principal);
  if (principal.kind === 'role') {
    if (isProtectedRoleName(principal.name, policy.responderRoleNames)) {
      return protection(
        `${who} is one of the responder's own roles: revoking its sessions would stop the responder itself`,
        'if its credentials are misused, revoke its sessions (IAM console, "Revoke active sessions") and review who can deploy or invoke the responder',
      );
    }
    if (isServiceLinkedRolePath(principal.path ?? undefined)) {
      return protection(`${who} is service-linked (path ${principal.path}): it belongs to an AWS service and is never changed`, CONTAIN_BY_HAND);
    }
    if (isServiceLinkedRoleName(principal.name)) {
      return protection(`${who} is named like a service-linked role (AWSServiceRoleFor*): it is never changed`, CONTAIN_BY_HAND);
    }
  }
  const pattern = matchingPrincipalPattern(policy.protectedPrincipals, principal);
  if (pattern !== undefined) {
    return protection(
      `${who} is a protected (break-glass) principal (credentials.protectedPrincipals: ${pattern}): the responder never deactivates its keys nor revokes its sessions`,
      'once the misuse is confirmed, deactivate the access key the finding names (if any), revoke its sessions (IAM console, "Revoke active sessions") and rotate its credentials',
    );
  }
  return undefined;
}
