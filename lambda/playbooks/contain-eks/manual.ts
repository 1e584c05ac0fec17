import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from '../../iam/revoke-sessions';
import { untrusted } from '../../text/untrusted';
import { shellQuote } from './kubectl';
import type { KubernetesPrincipal } from './principal';

/*
 * The exact commands a person runs when the responder does not revoke a
 * Kubernetes user's IAM principal itself: find the caller by the unique id
 * the authenticator proved (when the finding has one), see what the mapping
 * says, and revoke the caller's sessions. Names come from the finding and are
 * only used once validated (the id: upper-case letters and digits; the
 * cluster: EKS's own name rule), and shell-quoted anyway.
 */

/** EKS cluster names: a letter or digit, then letters, digits, hyphens and underscores, at most 100 characters. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

export interface ManualRevocationInput {
  readonly principal: KubernetesPrincipal;
  readonly clusterName: string | null;
  /** Sessions issued before this are the ones the by-hand policy denies. */
  readonly now: Date;
}

export function manualRevocationSteps({ principal, clusterName, now }: ManualRevocationInput): string[] {
  const steps: string[] = [];
  const { authenticated } = principal;
  if (authenticated.state === 'known') {
    const id = authenticated.principalId;
    // The id is letters and digits only (principal.ts): safe inside double quotes.
    const find = {
      role: `aws iam list-roles --query "Roles[?RoleId=='${id}'].Arn" --output text`,
      user: `aws iam list-users --query "Users[?UserId=='${id}'].Arn" --output text`,
    };
    steps.push(
      authenticated.kind
        ? `MANUAL: the caller is the IAM ${authenticated.kind} whose unique id is ${id}; find it: ${find[authenticated.kind]}`
        : `MANUAL: the caller is the IAM principal whose unique id is ${id}; find it: ${find.role}; ${find.user}`,
    );
  } else {
    steps.push(`MANUAL: the finding does not prove which IAM principal the caller is (${authenticated.why}): find it in the cluster's audit log (user.extra.arn of the same requests) or in CloudTrail.`);
  }
  const cluster = clusterName && CLUSTER_NAME.test(clusterName) ? shellQuote(clusterName) : '<cluster>';
  const user = principal.username ? `Kubernetes user ${untrusted(principal.username)}` : 'the Kubernetes user';
  steps.push(
    `MANUAL: see which IAM principal is mapped to ${user}: kubectl get configmap aws-auth --namespace kube-system --output yaml; aws eks list-access-entries --cluster-name ${cluster} ` +
      `(then aws eks describe-access-entry --cluster-name ${cluster} --principal-arn <arn>). A mapping that gives the caller another principal's name is itself a finding: remove it.`,
  );
  const policy = shellQuote(revokeOlderSessionsPolicy(now));
  steps.push(
    `MANUAL: once the caller is known, revoke its older sessions: aws iam put-role-policy --role-name <role> --policy-name ${REVOKE_POLICY_NAME} --policy-document ${policy} ` +
      `(for an IAM user: aws iam put-user-policy --user-name <user> --policy-name ${REVOKE_POLICY_NAME} --policy-document ${policy}), and remove its Kubernetes permissions if they are not needed.`,
  );
  return steps;
}
