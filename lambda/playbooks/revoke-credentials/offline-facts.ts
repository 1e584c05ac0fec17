import type { Finding } from '../../finding/schema';
import { NOT_READ, type RevokeCredentialsFacts } from './facts';
import { classifyPrincipal } from './principal';

/** The facts of `ir plan --offline`: the principal as the finding names it, nothing read. */
export function offlineRevokeCredentialsFacts(finding: Finding): RevokeCredentialsFacts {
  const principal = classifyPrincipal(finding);
  switch (principal.kind) {
    case 'iam-user':
      return { kind: 'iam-user', principal, user: NOT_READ, keys: NOT_READ };
    case 'role':
      return { kind: 'role', principal, role: NOT_READ };
    case 'federated-user':
      return { kind: 'federated-user', principal, user: NOT_READ };
    default:
      return { kind: 'manual', principal };
  }
}
