import type { Finding } from '../../finding/schema';

/*
 * The IAM principal behind a Kubernetes user. EKS authenticates IAM
 * identities (access entries, or the aws-auth ConfigMap) and its audit log,
 * which GuardDuty reads, names the Kubernetes user twice:
 *
 * - the username: by default the IAM ARN (arn:aws:iam::<account>:user/<name>,
 *   or for a role's session arn:aws:sts::<account>:assumed-role/<role>/<session>),
 *   but it is FREE TEXT written by whoever edits the mapping. Anyone with
 *   cluster admin can map their own role to the username
 *   "arn:aws:iam::<account>:role/SecurityTeam": the username is a claim only.
 * - the uid: "aws-iam-authenticator:<account>:<unique id>", written by the
 *   authenticator from STS's answer for the caller (AIDA... for an IAM user,
 *   AROA... for a role; for a role session the part before the session name).
 *   No mapping can set it.
 *
 * So the username says which principal to look at, and the uid whether it
 * is the caller: the plan revokes only when IAM's UserId / RoleId of the
 * named principal equals the uid's unique id (plan.ts). An impersonated user
 * is who the caller acted as, not who the caller is: never revoked.
 */

/** What the uid proves: the IAM unique id STS gave the authenticated caller, of the finding's account. */
export type AuthenticatedId =
  /** kind: by IAM's prefix (AIDA: a user, AROA: a role); null for another form (the emulator's ids), compared all the same. */
  | { readonly state: 'known'; readonly principalId: string; readonly kind: 'user' | 'role' | null }
  | { readonly state: 'unknown'; readonly why: string };

export type KubernetesPrincipal =
  | { readonly kind: 'user'; readonly name: string; readonly arn: string; readonly username: string; readonly authenticated: AuthenticatedId }
  | { readonly kind: 'role'; readonly name: string; readonly arn: string; readonly username: string; readonly sessionName: string | null; readonly authenticated: AuthenticatedId }
  | { readonly kind: 'unmapped'; readonly username: string | null; readonly why: string; readonly authenticated: AuthenticatedId };

const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH_SEGMENT = /^[\x21-\x7e]{1,512}$/;
/**
 * The authenticator's uid: its prefix, the caller's account, the caller's unique id. IAM's ids are AIDA... or
 * AROA... and upper-case letters and digits; any letters and digits are accepted (the id is only ever compared
 * with IAM's own, and quoted in a command), so that a form IAM adds later is compared too, not dropped.
 */
const AUTHENTICATOR_UID = /^aws-iam-authenticator:(\d{12}):([A-Za-z0-9]{16,128})$/;
const KIND_BY_PREFIX: Readonly<Record<string, 'user' | 'role'>> = { AIDA: 'user', AROA: 'role' };

function nameAfterPath(resource: string): string | undefined {
  // IAM paths are /-separated; the name is the last part.
  const parts = resource.split('/');
  const name = parts.pop();
  if (!name || !IAM_NAME.test(name) || !parts.every((p) => p === '' || PATH_SEGMENT.test(p))) return undefined;
  return name;
}

/** The caller's unique id from the uid, held to the finding's account; unknown (with the reason) otherwise. */
export function authenticatedIdOf(uid: string | null | undefined, account: string | null | undefined): AuthenticatedId {
  if (!uid) return { state: 'unknown', why: 'the finding carries no Kubernetes uid' };
  const match = AUTHENTICATOR_UID.exec(uid);
  if (!match) return { state: 'unknown', why: 'the Kubernetes uid is not one the AWS IAM authenticator writes (aws-iam-authenticator:<account>:<unique id>)' };
  const [, accountId, principalId] = match as unknown as [string, string, string];
  if (accountId !== account) return { state: 'unknown', why: `the caller authenticated as a principal of account ${accountId}, not of the finding's account` };
  return { state: 'known', principalId, kind: KIND_BY_PREFIX[principalId.slice(0, 4)] ?? null };
}

/** The IAM principal a Kubernetes username claims, held to the finding's account, with what the uid proves; `unmapped` otherwise, with the reason. */
export function kubernetesPrincipalOf(finding: Finding): KubernetesPrincipal {
  const details = finding.resource?.kubernetesDetails?.kubernetesUserDetails;
  const username = details?.username ?? null;
  const account = finding.accountId;
  const authenticated = authenticatedIdOf(details?.uid, account);
  if (!username) return { kind: 'unmapped', username: null, why: 'the finding names no Kubernetes user', authenticated };
  const match = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(user|role|assumed-role)\/(.+)$/.exec(username);
  if (!match) {
    return { kind: 'unmapped', username, why: 'the Kubernetes user is not named by an IAM ARN (a name mapped in aws-auth or an access entry, or a Kubernetes identity)', authenticated };
  }
  const [, , service, accountId, type, rest] = match as unknown as [string, string, string, string, string, string];
  if (accountId !== account) return { kind: 'unmapped', username, why: `the IAM principal is of account ${accountId}, not of the finding's account: revoke it there`, authenticated };
  if (service === 'sts' && type === 'assumed-role') {
    const [role, ...session] = rest.split('/');
    if (!role || !IAM_NAME.test(role)) return { kind: 'unmapped', username, why: 'the assumed-role ARN names no valid role name', authenticated };
    return { kind: 'role', name: role, arn: `arn:${match[1]}:iam::${accountId}:role/${role}`, username, sessionName: session.join('/') || null, authenticated };
  }
  if (service !== 'iam' || type === 'assumed-role') return { kind: 'unmapped', username, why: 'the ARN is not an IAM user, role or role session', authenticated };
  const name = nameAfterPath(rest);
  if (!name) return { kind: 'unmapped', username, why: 'the IAM ARN names no valid user or role name', authenticated };
  return type === 'user' ? { kind: 'user', name, arn: username, username, authenticated } : { kind: 'role', name, arn: username, username, sessionName: null, authenticated };
}
