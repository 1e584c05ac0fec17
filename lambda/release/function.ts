import { DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { functionResource } from '../ledger/incident-resource';
import { functionRestoreKey, type RecordedConcurrency, type RecordedSessionPolicy } from '../ledger/restore-record';
import type { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep } from '../plan/types';
import { sessionPolicySteps } from './session-policies';
import { functionReleaseNote } from './note';
import type { RecordReleaseOutcome } from './report';
import { keyAsKey, releaseFromRestoreRecord, type RecordReleaseOptions } from './restore-record-release';
import { READ_FUNCTION_CONCURRENCY, RESTORE_FUNCTION_CONCURRENCY } from './specs';

/*
 * `ir release --function`: undoes contain-function from its restore record
 * in the ledger, and from nothing else. The reserved concurrency goes back
 * exactly as recorded (DeleteFunctionConcurrency when the function had
 * none), and only while it still is the responder's 0: a value someone set
 * since is theirs and stays. The execution role's AWSRevokeOlderSessions is
 * removed as `ir release --access-key` removes it: only where the record
 * says the role had none before, only while it still is the responder's
 * shape, and only while no other open incident revoked it too
 * (session-policies.ts). The release is recorded in the ledger, kept in the
 * evidence bucket and notified.
 */

export interface FunctionReleaseOptions extends RecordReleaseOptions {
  /** The function's region; `clients` are for its account and region. */
  readonly region: string;
}

export interface FunctionReleaseReport extends RecordReleaseOutcome {
  readonly functionName: string;
  readonly region: string;
  readonly key: string | null;
  readonly record: { readonly functionConcurrency: RecordedConcurrency | null; readonly sessionPolicies: readonly RecordedSessionPolicy[] } | null;
}

function describeConcurrency(reserved: number | null): string {
  return reserved === null ? 'unreserved' : `reserved ${reserved}`;
}

/** The recorded concurrency, put back: a value with PutFunctionConcurrency, none with DeleteFunctionConcurrency. */
export function restoreConcurrencyStep(functionName: string, recorded: RecordedConcurrency): PlannedStep {
  const { reserved } = recorded;
  const remove = reserved === null;
  const parameters = remove ? { FunctionName: functionName } : { FunctionName: functionName, ReservedConcurrentExecutions: reserved };
  return planStep(RESTORE_FUNCTION_CONCURRENCY, {
    id: 'restore-function-concurrency',
    title: remove ? `Remove the reserved concurrency of Lambda function ${functionName} (it had none)` : `Set the reserved concurrency of Lambda function ${functionName} back to ${reserved}`,
    action: remove ? 'lambda:DeleteFunctionConcurrency' : 'lambda:PutFunctionConcurrency',
    target: functionName,
    parameters,
    why: `the ledger records it ${describeConcurrency(reserved)} before the response set it to 0; the function runs again`,
    stage: 1,
    run: async (ctx) => {
      const lambda = await ctx.clients.load('lambda');
      if (remove) await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
      else await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: reserved }));
      return { status: 'done', detail: `${functionName}: ${describeConcurrency(reserved)}` };
    },
  });
}

async function concurrencySteps(options: FunctionReleaseOptions, reads: ReadLog, functionName: string, recorded: RecordedConcurrency | undefined, warnings: string[]): Promise<PlannedStep[]> {
  if (!recorded) {
    warnings.push(`the record holds no reserved concurrency of ${functionName}: it is left as it is.`);
    return [];
  }
  const lambda = await options.clients.load('lambda');
  const read = await reads.read(READ_FUNCTION_CONCURRENCY, `Read the reserved concurrency of Lambda function ${functionName}`, `function/${functionName}`, () =>
    lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName })),
  );
  if (!read.ok) {
    warnings.push(`the reserved concurrency of ${functionName} could not be read (${read.error.code}): it is restored as the record says (Lambda refuses if the function is gone).`);
    return [restoreConcurrencyStep(functionName, recorded)];
  }
  const now = read.value.ReservedConcurrentExecutions ?? null;
  if (now === recorded.reserved) {
    warnings.push(`the reserved concurrency of ${functionName} is ${describeConcurrency(now)} already, as recorded: nothing to restore.`);
    return [];
  }
  if (now !== 0) {
    warnings.push(
      `the reserved concurrency of ${functionName} is ${describeConcurrency(now)}, not the responder's 0: someone changed it since the response; it is left as it is (the record says ${describeConcurrency(recorded.reserved)}).`,
    );
    return [];
  }
  return [restoreConcurrencyStep(functionName, recorded)];
}

export async function releaseFunction(functionName: string, options: FunctionReleaseOptions): Promise<FunctionReleaseReport> {
  const { region } = options;
  return releaseFromRestoreRecord(
    {
      names: { functionName, region },
      keyField: keyAsKey,
      accountOf: 'function',
      restoreKey: (accountId) => functionRestoreKey(accountId, region, functionName),
      subject: `Lambda function ${functionName}`,
      missingSubject: (accountId) => `Lambda function ${functionName} in ${accountId}/${region}`,
      recordOf: (restore) => ({ record: { functionConcurrency: restore.functionConcurrency ?? null, sessionPolicies: restore.sessionPolicies } }),
      plan: async ({ accountId, key, restore, reads }) => {
        const warnings: string[] = [];
        const steps = [
          ...(await concurrencySteps(options, reads, functionName, restore.functionConcurrency, warnings)),
          ...(await sessionPolicySteps({ clients: options.clients, reads, ledger: options.ledger, accountId, key, policies: restore.sessionPolicies }, warnings)),
        ];
        return { steps, warnings };
      },
      evidenceRegion: region,
      resource: { kind: 'function', resourceId: functionName },
      incidentResource: (accountId) => functionResource(accountId, region, functionName),
      evidenceNames: { region, functionName },
      note: functionReleaseNote,
    },
    options,
  );
}
