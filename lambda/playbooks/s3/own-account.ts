import type { IamAction, IamCondition, IamGrant } from '../../plan/types';

/**
 * S3 ARNs carry no account, so an S3 grant on `arn:aws:s3:::*` would reach
 * any bucket in any account that trusts the role. Every S3 call of the
 * playbooks is confined to buckets of the account the role is in (the
 * finding's account: the member role there, or the playbook role itself in
 * the security account); each call also names ExpectedBucketOwner, so S3
 * refuses it if the bucket changed hands.
 */
export const ONLY_OWN_ACCOUNT_BUCKETS: IamCondition = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };

export function ownAccountGrants(actions: readonly IamAction[]): IamGrant[] {
  return actions.map((action) => ({ action, condition: ONLY_OWN_ACCOUNT_BUCKETS }));
}
