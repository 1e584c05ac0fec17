/*
 * The Security Hub SDK as the close-the-loop step uses it, imported with
 * import() only: it runs after containment, so a Lambda bundle keeps it in a
 * chunk that a cold start does not load before isolation.
 */
export { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
