import type { StepError } from '../../aws/errors';
import type { FederatedUserPrincipal, IamUserPrincipal, ManualPrincipal, RolePrincipal } from './principal';

/*
 * What the playbook knows before planning. Each read keeps how it ended, so
 * the plan can tell "the user is gone" from "we could not look" from "we did
 * not look" (offline), and say so.
 */

export type Lookup<T> =
  | { readonly state: 'found'; readonly value: T }
  /** AWS answered NoSuchEntity. */
  | { readonly state: 'missing'; readonly error: StepError }
  /** The read failed for another reason (AccessDenied, Throttling, ...). */
  | { readonly state: 'failed'; readonly error: StepError }
  /** Planned offline, from the finding alone. */
  | { readonly state: 'not-read' };

export const NOT_READ = { state: 'not-read' } as const;

export interface IamEntity {
  /**
   * IAM's unique id of the principal (GetUser User.UserId AIDA..., GetRole Role.RoleId AROA...):
   * a principal deleted and created again under the same name, or one of the same name in
   * another account, has another. Compared with the finding's principalId before any change.
   */
  readonly id: string | null;
  readonly arn: string | null;
  readonly path: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AccessKeyState {
  readonly accessKeyId: string;
  /** Active, Inactive (or Expired), as ListAccessKeys says. */
  readonly status: string;
}

export interface UserFacts {
  readonly kind: 'iam-user';
  readonly principal: IamUserPrincipal;
  readonly user: Lookup<IamEntity>;
  readonly keys: Lookup<readonly AccessKeyState[]>;
}

export interface RoleFacts {
  readonly kind: 'role';
  readonly principal: RolePrincipal;
  readonly role: Lookup<IamEntity>;
}

/** A GetFederationToken session: the IAM user that issued it is what can be denied. */
export interface FederatedUserFacts {
  readonly kind: 'federated-user';
  readonly principal: FederatedUserPrincipal;
  readonly user: Lookup<IamEntity>;
}

export interface ManualFacts {
  readonly kind: 'manual';
  readonly principal: ManualPrincipal;
}

export type RevokeCredentialsFacts = UserFacts | RoleFacts | FederatedUserFacts | ManualFacts;

/** The value of a lookup that found something, else undefined. */
export function foundValue<T>(lookup: Lookup<T>): T | undefined {
  return lookup.state === 'found' ? lookup.value : undefined;
}
