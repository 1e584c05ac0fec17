/*
 * The one IAM command the account alias read sends (account-alias.ts),
 * imported with import() only: the alias is for the notification, so no
 * bundle loads IAM code for it at cold start. The client class is a module of
 * its own (iam-alias-client.ts): a bundle whose steps call IAM has it already,
 * and notify, which reads no alias, must not carry it.
 */
export { ListAccountAliasesCommand } from '@aws-sdk/client-iam';
