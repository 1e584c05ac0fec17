import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  NoSuchEntityException,
  type StatusType,
} from '@aws-sdk/client-iam';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { IamAction, StepSpec } from '../../../lambda/plan/types';
import { roleIdOf, userIdOf } from './iam-unique-ids';

/* IAM as the revoke-credentials tests see it: users, keys, roles and the errors IAM really sends. */

export type IamStub = AwsClientStub<IAMClient>;

export const ACCOUNT_ID = '222222222222';

export interface UserSetup {
  readonly userName: string;
  /** IAM's UserId; by default the one the fixtures give this name (iam-unique-ids.ts). */
  readonly userId?: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly keys: readonly { readonly accessKeyId: string; readonly status: StatusType }[];
}

export interface RoleSetup {
  readonly roleName: string;
  /** IAM's RoleId; by default the one the fixtures give this name (iam-unique-ids.ts). */
  readonly roleId?: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export function userArn(userName: string, path = '/'): string {
  return `arn:aws:iam::${ACCOUNT_ID}:user${path}${userName}`;
}

export function roleArn(roleName: string, path = '/'): string {
  return `arn:aws:iam::${ACCOUNT_ID}:role${path}${roleName}`;
}

function tagList(tags: Readonly<Record<string, string>> | undefined) {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** GetUser and ListAccessKeys answer for this user (and only this user). */
export function givenUser(iam: IamStub, user: UserSetup): void {
  const path = user.path ?? '/';
  iam.on(GetUserCommand, { UserName: user.userName }).resolves({
    User: {
      UserName: user.userName,
      UserId: user.userId ?? userIdOf(user.userName),
      Arn: userArn(user.userName, path),
      Path: path,
      CreateDate: new Date('2025-01-01T00:00:00Z'),
      Tags: tagList(user.tags),
    },
  });
  iam.on(ListAccessKeysCommand, { UserName: user.userName }).resolves({
    AccessKeyMetadata: user.keys.map((key) => ({
      UserName: user.userName,
      AccessKeyId: key.accessKeyId,
      Status: key.status,
      CreateDate: new Date('2025-01-02T00:00:00Z'),
    })),
    IsTruncated: false,
  });
}

/** GetRole answers for this role (and only this role). */
export function givenRole(iam: IamStub, role: RoleSetup): void {
  const path = role.path ?? '/';
  iam.on(GetRoleCommand, { RoleName: role.roleName }).resolves({
    Role: {
      RoleName: role.roleName,
      RoleId: role.roleId ?? roleIdOf(role.roleName),
      Arn: roleArn(role.roleName, path),
      Path: path,
      CreateDate: new Date('2025-01-01T00:00:00Z'),
      Tags: tagList(role.tags),
    },
  });
}

/**
 * An error shaped as the SDK throws it for IAM's query protocol: modelled
 * errors are their exception class, and every error carries IAM's `Code`.
 */
export function iamError(code: string, message = `${code} (test)`): Error {
  const $metadata = { httpStatusCode: code === 'NoSuchEntity' ? 404 : code === 'Throttling' ? 400 : 403 };
  if (code === 'NoSuchEntity') return Object.assign(new NoSuchEntityException({ message, $metadata }), { Code: code });
  if (code === 'LimitExceeded') return Object.assign(new LimitExceededException({ message, $metadata }), { Code: code });
  return Object.assign(new Error(message), { name: code, Code: code, $fault: 'client', $metadata });
}

/** The IAM action of every command the stub received, in order: GetUserCommand -> iam:GetUser. */
/**
 * The playbook's own IAM calls, in order: the account's alias, read for the
 * notification beside discovery (lambda/notify/account-alias.ts, tested in
 * test/unit/notify/account-alias.test.ts), is left out.
 */
export function iamActionsReceived(iam: IamStub): IamAction[] {
  return iam
    .calls()
    .map((call) => `iam:${call.args[0].constructor.name.replace(/Command$/, '')}` as IamAction)
    .filter((action) => action !== 'iam:ListAccountAliases');
}

/** Commands received whose action a mutating spec declares. */
export function mutatingActionsReceived(iam: IamStub, specs: readonly StepSpec[]): IamAction[] {
  const mutating = new Set(specs.filter((s) => s.mutating).flatMap((s) => s.iamActions));
  return iamActionsReceived(iam).filter((action) => mutating.has(action));
}
