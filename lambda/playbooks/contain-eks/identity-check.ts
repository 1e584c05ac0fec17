import type { EksIamEntity } from './facts';
import type { KubernetesPrincipal } from './principal';

/*
 * Whether the IAM principal a Kubernetes username names is the caller.
 * The username is written by whoever edits aws-auth or the access entries
 * (an attacker with cluster admin can name the security team's role); the
 * uid's unique id comes from STS through the authenticator. Only when IAM's
 * UserId / RoleId of the named principal is that id does the plan revoke.
 */

export type MappedPrincipal = Exclude<KubernetesPrincipal, { kind: 'unmapped' }>;

export type IdentityCheck =
  /** againstIam false: planned offline, the uid is consistent with the claim but IAM's id was not read; the live run compares it. */
  | { readonly verified: true; readonly principalId: string; readonly againstIam: boolean }
  /** forged: the finding proves the caller is someone else than the username says; otherwise it proves nothing either way. */
  | { readonly verified: false; readonly forged: boolean; readonly why: string };

/** entity: the principal as IAM holds it; null when not read (offline). */
export function checkMappedIdentity(principal: MappedPrincipal, entity: EksIamEntity | null): IdentityCheck {
  const claimed = `IAM ${principal.kind} ${principal.name}`;
  const { authenticated } = principal;
  if (authenticated.state === 'unknown') {
    return { verified: false, forged: false, why: `the mapping was NOT verified: ${authenticated.why}, and the username alone is free text that whoever edits aws-auth or the access entries writes` };
  }
  if (authenticated.kind !== null && authenticated.kind !== principal.kind) {
    return {
      verified: false,
      forged: true,
      why: `the username names ${claimed}, but the caller authenticated as an IAM ${authenticated.kind} (unique id ${authenticated.principalId}): the mapping names someone else than the caller`,
    };
  }
  if (!entity) return { verified: true, principalId: authenticated.principalId, againstIam: false };
  if (!entity.id) return { verified: false, forged: false, why: `the mapping was NOT verified: IAM gave no unique id for ${claimed} to compare with the caller's (${authenticated.principalId})` };
  if (entity.id !== authenticated.principalId) {
    return {
      verified: false,
      forged: true,
      why:
        `the username names ${claimed} (unique id ${entity.id}), but the caller authenticated as unique id ${authenticated.principalId}: ` +
        'the mapping names someone else than the caller (a forged username, or a principal deleted and re-created under the same name)',
    };
  }
  return { verified: true, principalId: authenticated.principalId, againstIam: true };
}
