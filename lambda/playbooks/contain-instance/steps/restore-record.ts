import { ResponderError, toStepError } from '../../../aws/errors';
import { instanceRestoreKey, type RestoreFacts } from '../../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../../plan/types';
import { RECORD_RESTORE_STATE } from '../specs';

/*
 * The two writes of the restore record (lambda/ledger/restore-record.ts),
 * each before the changes it makes undoable: the network part (each ENI's
 * groups, the volumes' DeleteOnTermination) before anything changes, from
 * the first reads alone so isolation waits for one write and no other read;
 * the containment part (instance profile, Auto Scaling group, target groups,
 * termination protection) once every read is in, before the steps that
 * change those. Each change requires its record (plan.ts): a record that
 * cannot be written blocks every change after it, and the step's failure
 * fails the invocation (its error is retryable), so Lambda retries it.
 */

export const RECORD_NETWORK_ID = 'record-restore:network';
export const RECORD_CONTAINMENT_ID = 'record-restore:containment';

/** Where the record goes: the finding's account and region, and its incident. */
export interface RestoreTarget {
  readonly accountId: string | null;
  readonly region: string | null;
  readonly incidentId: string;
  readonly findingId: string;
}

export const NO_LEDGER_DETAIL = 'not written: this response has no incident ledger (ir respond, or a stack without one); the tags on the instance are the only record';

export function restoreRecordStep(args: {
  readonly id: string;
  readonly title: string;
  readonly instanceId: string;
  readonly target: RestoreTarget;
  readonly facts: RestoreFacts;
  readonly stage: number;
  readonly requires?: readonly string[];
  readonly why: string;
}): PlannedStep {
  const { accountId, region, incidentId, findingId } = args.target;
  const key = accountId && region ? instanceRestoreKey(accountId, region, args.instanceId) : null;
  return planStep(RECORD_RESTORE_STATE, {
    id: args.id,
    title: args.title,
    action: 'dynamodb:UpdateItem',
    target: key ?? `(no restore record: the finding names no ${accountId ? 'region' : 'account'})`,
    parameters: { Key: key, record: { ...args.facts } },
    why: args.why,
    stage: args.stage,
    ...(args.requires ? { requires: args.requires } : {}),
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER_DETAIL };
      if (!key || !accountId || !region) {
        throw new ResponderError('RestoreRecordUnkeyed', 'the finding names no account or region, so the restore record has no key: nothing is changed', false);
      }
      try {
        await ctx.restoreLedger.record({ key, kind: 'instance', resourceId: args.instanceId, accountId, region, incidentId, findingId, facts: args.facts });
      } catch (error) {
        // The AWS code and whether a retry can help, as for any call (lambda/runtime/retry-policy.ts); the message says nothing changed.
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: originals recorded where not recorded before` };
    },
  });
}
