import { DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../aws/clients';
import { functionResource } from '../ledger/incident-resource';
import { functionRestoreKey, type RecordedConcurrency, type RecordedSessionPolicy, type RestoreLedger } from '../ledger/restore-record';
import type { StepReport } from '../plan/document';
import { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep, type StepOutcome } from '../plan/types';
import type { NoteTopics } from '../notify/operator-note-publish';
import type { PendingApprovals } from '../approval/pending';
import { finishResourceRelease } from './finish';
import { runReleaseSteps } from './run-steps';
import { sessionPolicySteps } from './session-policies';
import type { ReleaseEvidenceTarget } from './evidence';
import { readHeldContainment } from './held-containment';
import { functionReleaseNote } from './note';
import type { ReleaseLedgerEntry, ReleaseNotification } from './report';
import { READ_FUNCTION_CONCURRENCY, READ_RESTORE_RECORD, RESTORE_FUNCTION_CONCURRENCY } from './specs';
import { readReleaser, refusedReleaseParts } from './refusal';

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

export interface FunctionReleaseOptions {
  /** Clients for the function's account and region. */
  readonly clients: AwsClients;
  readonly region: string;
  readonly ledger: RestoreLedger;
  readonly dryRun: boolean;
  readonly notify?: NoteTopics;
  readonly evidence?: ReleaseEvidenceTarget;
  readonly now?: () => Date;
  /** The incident ledger's pending approvals: a throttle held for a decision and never made is not undone. */
  readonly approvals?: PendingApprovals;
}

export interface FunctionReleaseReport {
  readonly functionName: string;
  readonly region: string;
  readonly dryRun: boolean;
  readonly refused: string | null;
  readonly key: string | null;
  readonly record: { readonly functionConcurrency: RecordedConcurrency | null; readonly sessionPolicies: readonly RecordedSessionPolicy[] } | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly ledger: ReleaseLedgerEntry | null;
  readonly notification: ReleaseNotification | null;
  readonly chatNotification: ReleaseNotification | null;
  readonly evidence: StepReport | null;
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
  const now = options.now ?? (() => new Date());
  const reads = new ReadLog();
  const { region } = options;
  const base = { functionName, region, dryRun: options.dryRun, ledger: null, notification: null, chatNotification: null, steps: [], summary: { done: 0, skipped: 0, failed: 0 } };
  const evidenceTarget = options.evidence ?? {};
  const refuse = async (refused: string, key: string | null = null, record: FunctionReleaseReport['record'] = null): Promise<FunctionReleaseReport> => ({
    ...base,
    key,
    record,
    ...(await refusedReleaseParts(refused, reads, evidenceTarget)),
  });
  const caller = await readReleaser(reads, options.clients);
  if (!caller.ok || !caller.value.Account) return refuse('the account of the function could not be learned (sts:GetCallerIdentity): nothing was changed');
  const accountId = caller.value.Account;
  const key = functionRestoreKey(accountId, region, functionName);
  const read = await reads.read(READ_RESTORE_RECORD, `Read the restore record of Lambda function ${functionName} from the ledger ${options.ledger.tableName}`, key, () => options.ledger.read(key));
  if (!read.ok) return refuse(`the restore record ${key} could not be read from the ledger ${options.ledger.tableName} (${read.error.code}): nothing was changed`, key);
  const restore = read.value;
  if (!restore) return refuse(`the ledger ${options.ledger.tableName} holds no restore record of Lambda function ${functionName} in ${accountId}/${region} (${key}): nothing was changed`, key);
  const record = { functionConcurrency: restore.functionConcurrency ?? null, sessionPolicies: restore.sessionPolicies };
  if (restore.closedAt) return refuse(`the restore record ${key} was released at ${restore.closedAt}: nothing to release, nothing was changed`, key, record);
  const held = await readHeldContainment(options.approvals, restore, reads);
  if (held) return refuse(held, key, record);

  const warnings: string[] = [];
  const steps = [
    ...(await concurrencySteps(options, reads, functionName, restore.functionConcurrency, warnings)),
    ...(await sessionPolicySteps({ clients: options.clients, reads, ledger: options.ledger, accountId, key, policies: restore.sessionPolicies }, warnings)),
  ];
  const ran = await runReleaseSteps(steps, { clients: options.clients, now, dryRun: options.dryRun });
  const report: FunctionReleaseReport = {
    ...base,
    refused: null,
    key,
    record,
    warnings,
    reads: reads.outcomes,
    ...ran,
    evidence: null,
  };
  return finishResourceRelease(report, {
    ledger: options.ledger,
    key,
    restore,
    operator: caller.value.Arn ?? 'unknown',
    accountId,
    region,
    resource: { kind: 'function', resourceId: functionName },
    incidentResource: functionResource(accountId, region, functionName),
    evidenceKind: 'function-release',
    evidenceNames: { region, functionName },
    dryRun: options.dryRun,
    evidence: evidenceTarget,
    notify: options.notify,
    note: functionReleaseNote,
    now,
  });
}
