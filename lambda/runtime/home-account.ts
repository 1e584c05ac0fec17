import { AccountAccess, type HomeIdentity } from '../aws/account-access';
import { parseArn } from '../aws/arn';
import type { ClientClasses } from '../aws/clients';

/** The part of the Lambda context the responder reads. */
export interface LambdaContext {
  /** arn:<partition>:lambda:<region>:<account>:function:<name>[:alias] */
  readonly invokedFunctionArn: string;
  /** Lambda's own clock: how long the invocation may still run. Bounds the ledger claim's lease. */
  readonly getRemainingTimeInMillis?: () => number;
  /** Lambda's id of the invocation, the same on each of its asynchronous retries: the ledger's claim recognises its own retry by it. */
  readonly awsRequestId?: string;
}

/** The security (home) account and partition, from the ARN the function was invoked by: no STS call needed. */
export function homeIdentityOf(context: LambdaContext): HomeIdentity {
  const arn = parseArn(context.invokedFunctionArn);
  if (!arn || arn.service !== 'lambda' || !/^\d{12}$/.test(arn.accountId)) {
    throw new Error(`cannot tell the home account from the invoked function ARN "${context.invokedFunctionArn}"`);
  }
  return { accountId: arn.accountId, partition: arn.partition };
}

/** Per set of client classes: in a Lambda there is one (its entry point's); tests run several entry points in one process. */
const cached = new WeakMap<ClientClasses, { readonly key: string; readonly access: AccountAccess }>();

/**
 * One AccountAccess per container, so assumed-role credentials and clients
 * are reused across invocations for as long as the container lives.
 */
export function accountAccessFor(context: LambdaContext, memberRoleName: string, clientClasses: ClientClasses): AccountAccess {
  const home = homeIdentityOf(context);
  const key = `${home.partition}:${home.accountId}:${memberRoleName}`;
  let entry = cached.get(clientClasses);
  if (entry?.key !== key) {
    entry = { key, access: new AccountAccess({ home: () => Promise.resolve(home), memberRoleName, base: {}, clientClasses }) };
    cached.set(clientClasses, entry);
  }
  return entry.access;
}
