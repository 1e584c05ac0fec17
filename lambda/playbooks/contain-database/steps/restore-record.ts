import { ResponderError, toStepError } from '../../../aws/errors';
import { databaseRestoreKey } from '../../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { DatabaseKind } from '../facts';
import { RECORD_DATABASE_RESTORE_STATE } from '../specs';

/*
 * The database's security groups, written to the ledger (security account)
 * before they are replaced by the isolation group: `ir release --database`
 * puts these back. First write wins (lambda/ledger/restore-record.ts), so a
 * second finding that sees the database already on the isolation group
 * records nothing over them.
 */

export const RECORD_DATABASE_ID = 'record-restore:database';

export interface DatabaseRecordTarget {
  readonly accountId: string | null;
  readonly region: string | null;
  readonly incidentId: string;
  readonly findingId: string;
}

export const NO_LEDGER_DETAIL = 'not written: this response has no incident ledger (ir respond, or a stack without one); nothing else records the groups';

export function databaseRecordStep(args: {
  readonly kind: DatabaseKind;
  readonly identifier: string;
  readonly securityGroupIds: readonly string[];
  readonly target: DatabaseRecordTarget;
  readonly stage: number;
}): PlannedStep {
  const { accountId, region, incidentId, findingId } = args.target;
  const key = accountId && region ? databaseRestoreKey(accountId, region, args.kind, args.identifier) : null;
  const facts = { databaseSecurityGroups: [...args.securityGroupIds] };
  return planStep(RECORD_DATABASE_RESTORE_STATE, {
    id: RECORD_DATABASE_ID,
    title: `Record the security groups of DB ${args.kind} ${args.identifier} in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key ?? `(no restore record: the finding names no ${accountId ? 'region' : 'account'})`,
    parameters: { Key: key, record: facts },
    why: 'before the groups change: ir release restores them from this record, and if it cannot be written they are not changed',
    stage: args.stage,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER_DETAIL };
      if (!key || !accountId || !region) {
        throw new ResponderError('RestoreRecordUnkeyed', 'the finding names no account or region, so the restore record has no key: nothing is changed', false);
      }
      try {
        await ctx.restoreLedger.record({ key, kind: 'database', resourceId: `${args.kind}/${args.identifier}`, accountId, region, incidentId, findingId, facts });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: the groups recorded where not recorded before` };
    },
  });
}
