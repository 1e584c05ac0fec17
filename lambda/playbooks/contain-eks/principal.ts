import type { Finding } from '../../finding/schema';

/*
 * The IAM principal behind a Kubernetes user. EKS authenticates IAM
 * identities (access entries, or the aws-auth ConfigMap) and its audit log,
 * which GuardDuty reads, names the Kubernetes user: for an access entry by
 * default the IAM ARN itself (arn:aws:iam::<account>:user/<name>, or for a
 * role's session arn:aws:sts::<account>:assumed-role/<role>/<session>). A
 * username mapped through aws-auth to another name does not say which IAM
 * principal it is: then nothing is revoked and the notification says how to
 * find it. An impersonated user is who the caller acted as, not who the
 * caller is: the caller's own identity is the one revoked.
 */

export type KubernetesPrincipal =
  | { readonly kind: 'user'; readonly name: string; readonly arn: string; readonly username: string }
  | { readonly kind: 'role'; readonly name: string; readonly arn: string; readonly username: string; readonly sessionName: string | null }
  | { readonly kind: 'unmapped'; readonly username: string | null; readonly why: string };

const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH_SEGMENT = /^[\x21-\x7e]{1,512}$/;

function nameAfterPath(resource: string): string | undefined {
  // IAM paths are /-separated; the name is the last part.
  const parts = resource.split('/');
  const name = parts.pop();
  if (!name || !IAM_NAME.test(name) || !parts.every((p) => p === '' || PATH_SEGMENT.test(p))) return undefined;
  return name;
}

/** The IAM principal a Kubernetes username names, held to the finding's account; `unmapped` otherwise, with the reason. */
export function kubernetesPrincipalOf(finding: Finding): KubernetesPrincipal {
  const details = finding.resource?.kubernetesDetails?.kubernetesUserDetails;
  const username = details?.username ?? null;
  if (!username) return { kind: 'unmapped', username: null, why: 'the finding names no Kubernetes user' };
  const account = finding.accountId;
  const match = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(user|role|assumed-role)\/(.+)$/.exec(username);
  if (!match) {
    return { kind: 'unmapped', username, why: 'the Kubernetes user is not named by an IAM ARN (a name mapped in aws-auth or an access entry, or a Kubernetes identity)' };
  }
  const [, , service, accountId, type, rest] = match as unknown as [string, string, string, string, string, string];
  if (accountId !== account) return { kind: 'unmapped', username, why: `the IAM principal is of account ${accountId}, not of the finding's account: revoke it there` };
  if (service === 'sts' && type === 'assumed-role') {
    const [role, ...session] = rest.split('/');
    if (!role || !IAM_NAME.test(role)) return { kind: 'unmapped', username, why: 'the assumed-role ARN names no valid role name' };
    return { kind: 'role', name: role, arn: `arn:${match[1]}:iam::${accountId}:role/${role}`, username, sessionName: session.join('/') || null };
  }
  if (service !== 'iam' || type === 'assumed-role') return { kind: 'unmapped', username, why: 'the ARN is not an IAM user, role or role session' };
  const name = nameAfterPath(rest);
  if (!name) return { kind: 'unmapped', username, why: 'the IAM ARN names no valid user or role name' };
  return type === 'user'
    ? { kind: 'user', name, arn: username, username }
    : { kind: 'role', name, arn: username, username, sessionName: null };
}
