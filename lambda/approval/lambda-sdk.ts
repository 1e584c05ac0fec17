/*
 * The Lambda SDK as the decision links use it (link-url.ts), imported with
 * import() only: a playbook bundle keeps it in a chunk loaded when a response
 * first waits for a decision.
 */
export { GetFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
