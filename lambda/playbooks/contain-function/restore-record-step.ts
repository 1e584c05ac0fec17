import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../aws/clients';
import { ResponderError, toStepError } from '../../aws/errors';
import { REVOKE_POLICY_NAME } from '../../iam/revoke-sessions';
import { functionRestoreKey } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import type { FunctionConfiguration } from './facts';
import { RECORD_FUNCTION_RESTORE_STATE } from './specs';

/*
 * The restore record of a function's containment (lambda/ledger/restore-record.ts),
 * written before the throttle and the revocation: the reserved concurrency
 * and the role's revoke policy as they are when the step runs (read again
 * then, so a change since discovery is not lost), and the configuration
 * discovery read (code hash, version, role, VPC, environment variable names).
 * Every change of the plan requires this step: if it cannot be written,
 * nothing is changed.
 */

export const RECORD_FUNCTION_ID = 'record-restore:function';

export interface FunctionRecordArgs {
  readonly accountId: string | null;
  readonly region: string | null;
  readonly functionName: string;
  readonly incidentId: string;
  readonly findingId: string;
  /** The configuration as discovery read it; null when it was not read (offline). */
  readonly configuration: FunctionConfiguration | null;
  /** The execution role whose sessions are revoked; null when none is. */
  readonly roleName: string | null;
}

const NO_LEDGER = 'not written: this response has no incident ledger (ir respond, or a stack without one)';

async function currentReservedConcurrency(clients: AwsClients, functionName: string): Promise<number | null> {
  const lambda = await clients.load('lambda');
  const answer = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
  return answer?.ReservedConcurrentExecutions ?? null;
}

async function currentRevokePolicy(clients: AwsClients, roleName: string): Promise<string | null> {
  try {
    const answer = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    // IAM returns the document URL-encoded.
    return answer?.PolicyDocument ? decodeURIComponent(answer.PolicyDocument) : null;
  } catch (error) {
    if (toStepError(error).code === 'NoSuchEntity') return null;
    throw error;
  }
}

export function functionRestoreRecordStep(args: FunctionRecordArgs): PlannedStep {
  const { accountId, region, functionName, roleName } = args;
  const key = accountId && region ? functionRestoreKey(accountId, region, functionName) : null;
  const configuration = args.configuration ? JSON.stringify(args.configuration) : undefined;
  const sessionPolicies = roleName ? [{ principal: { kind: 'role' as const, name: roleName }, previousDocument: `<${REVOKE_POLICY_NAME} of the role when the step runs, or none>` }] : [];
  return planStep(RECORD_FUNCTION_RESTORE_STATE, {
    id: RECORD_FUNCTION_ID,
    title: `Record the reserved concurrency${roleName ? ` and the revoke policy of role ${roleName}` : ''} of Lambda function ${functionName} in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key ?? '(no restore record: the finding names no account or region)',
    parameters: {
      Key: key,
      record: {
        functionConcurrency: '<ReservedConcurrentExecutions when the step runs, or none (unreserved)>',
        sessionPolicies,
        functionConfiguration: args.configuration ?? '(not read)',
      },
    },
    why: 'before the first change: ir release --function puts the reserved concurrency back exactly (or removes it if there was none) and removes only the revoke policy the responder wrote',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      if (!key || !accountId || !region) throw new ResponderError('RestoreRecordUnkeyed', 'the finding names no account or region, so the restore record has no key: nothing is changed', false);
      try {
        const [reserved, previousDocument] = await Promise.all([
          currentReservedConcurrency(ctx.clients, functionName),
          roleName ? currentRevokePolicy(ctx.clients, roleName) : Promise.resolve(null),
        ]);
        await ctx.restoreLedger.record({
          key,
          kind: 'function',
          resourceId: functionName,
          accountId,
          region,
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: {
            functionConcurrency: { reserved },
            ...(configuration !== undefined ? { functionConfiguration: configuration } : {}),
            ...(roleName ? { sessionPolicies: [{ principal: { kind: 'role', name: roleName }, previousDocument }] } : {}),
          },
        });
        const was = reserved === null ? 'unreserved' : `reserved ${reserved}`;
        return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: concurrency ${was} (originals recorded where not recorded before)` };
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
    },
  });
}

/** Every change requires the record. */
export function afterFunctionRecord(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.map((step) => (step.mutating ? { ...step, requires: [...new Set([RECORD_FUNCTION_ID, ...step.requires])] } : step));
}
