/*
 * The IAM client class of a playbook that calls IAM only to read the
 * account's alias (lambda/runtime/account-alias-iam.ts), imported with
 * import() only, in a chunk that a cold start does not load.
 */
export { IAMClient } from '@aws-sdk/client-iam';
