import { GetRoleCommand, GetUserCommand, ListAccessKeysCommand, type Tag } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog, ReadResult } from '../../plan/reads';
import type { AccessKeyState, IamEntity, Lookup, RevokeCredentialsFacts } from './facts';
import { classifyPrincipal, type FederatedUserPrincipal, type IamUserPrincipal, type RolePrincipal } from './principal';
import { LIST_ACCESS_KEYS, READ_ROLE, READ_USER } from './specs';

// The SDK reports IAM's query-protocol code (NoSuchEntity); emulators may send the exception name.
const MISSING_CODES = new Set(['NoSuchEntity', 'NoSuchEntityException']);

function lookupOf<T, V>(result: ReadResult<T>, toValue: (value: T) => V): Lookup<V> {
  if (result.ok) return { state: 'found', value: toValue(result.value) };
  return MISSING_CODES.has(result.error.code) ? { state: 'missing', error: result.error } : { state: 'failed', error: result.error };
}

function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) out[tag.Key] = tag.Value ?? '';
  return out;
}

function readUser(userName: string, clients: AwsClients, reads: ReadLog): Promise<Lookup<IamEntity>> {
  return reads
    .read(READ_USER, `Read IAM user ${userName}`, `user/${userName}`, () => clients.iam.send(new GetUserCommand({ UserName: userName })))
    // GetUser returns the user's tags, so no ListUserTags call (and no extra permission) is needed.
    .then((read) => lookupOf(read, (out): IamEntity => ({ id: out.User?.UserId ?? null, arn: out.User?.Arn ?? null, path: out.User?.Path ?? null, tags: tagsOf(out.User?.Tags) })));
}

async function discoverUser(principal: IamUserPrincipal, clients: AwsClients, reads: ReadLog): Promise<RevokeCredentialsFacts> {
  const { userName } = principal;
  const user = await readUser(userName, clients, reads);
  // A user that is gone has no keys left to list.
  if (user.state === 'missing') return { kind: 'iam-user', principal, user, keys: { state: 'missing', error: user.error } };
  // A user has at most two access keys, so the first page is all of them.
  const keysRead = await reads.read(LIST_ACCESS_KEYS, `List the access keys of IAM user ${userName}`, `user/${userName}`, () =>
    clients.iam.send(new ListAccessKeysCommand({ UserName: userName })),
  );
  const keys = lookupOf(keysRead, (out): AccessKeyState[] =>
    (out.AccessKeyMetadata ?? []).flatMap((key) => (key.AccessKeyId ? [{ accessKeyId: key.AccessKeyId, status: key.Status ?? 'unknown' }] : [])),
  );
  return { kind: 'iam-user', principal, user, keys };
}

async function discoverRole(principal: RolePrincipal, clients: AwsClients, reads: ReadLog): Promise<RevokeCredentialsFacts> {
  const { roleName } = principal;
  const roleRead = await reads.read(READ_ROLE, `Read IAM role ${roleName}`, `role/${roleName}`, () =>
    clients.iam.send(new GetRoleCommand({ RoleName: roleName })),
  );
  const role = lookupOf(roleRead, (out): IamEntity => ({ id: out.Role?.RoleId ?? null, arn: out.Role?.Arn ?? null, path: out.Role?.Path ?? null, tags: tagsOf(out.Role?.Tags) }));
  return { kind: 'role', principal, role };
}

/** A federated user's session is denied through the IAM user that issued it: that user is read. */
async function discoverFederatedUser(principal: FederatedUserPrincipal, clients: AwsClients, reads: ReadLog): Promise<RevokeCredentialsFacts> {
  return { kind: 'federated-user', principal, user: await readUser(principal.issuerUserName, clients, reads) };
}

/** Reads the principal the finding names: the user and its keys, the role, or the IAM user that issued a federated session. Root and the like are not read. */
export async function discoverRevokeCredentialsFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<RevokeCredentialsFacts> {
  const principal = classifyPrincipal(finding);
  switch (principal.kind) {
    case 'iam-user':
      return discoverUser(principal, clients, reads);
    case 'role':
      return discoverRole(principal, clients, reads);
    case 'federated-user':
      return discoverFederatedUser(principal, clients, reads);
    default:
      return { kind: 'manual', principal };
  }
}
