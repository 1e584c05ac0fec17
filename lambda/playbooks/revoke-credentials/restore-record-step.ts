import { GetRolePolicyCommand, GetUserPolicyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../aws/clients';
import { ResponderError, toStepError } from '../../aws/errors';
import { REVOKE_POLICY_NAME } from '../../iam/revoke-sessions';
import { accessKeyRestoreKey } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import { RECORD_KEY_RESTORE_STATE } from './specs';

/*
 * The restore record of a credential response (lambda/ledger/restore-record.ts),
 * written before the key is deactivated and the sessions revoked: the key's
 * status as ListAccessKeys gave it, and the revoke policy the principal
 * already had, read now (GetUserPolicy / GetRolePolicy), so that a release
 * removes only the policy the responder wrote. Every change of the plan
 * requires this step: if it cannot be written, nothing is changed.
 */

export const RECORD_KEY_ID = 'record-restore:credentials';

export interface KeyRecordArgs {
  readonly accountId: string | null;
  /** The finding's access key id; the record is found by it (`ir release --access-key`). */
  readonly accessKeyId: string | null;
  readonly incidentId: string;
  readonly findingId: string;
  readonly region: string | null;
  /** A long-term key the response deactivates, with the status it has now; absent when none is deactivated or its status is unknown. */
  readonly accessKey?: { readonly userName: string; readonly status: string };
  /** Whose sessions are revoked. */
  readonly principal: { readonly kind: 'user' | 'role'; readonly name: string };
}

const NO_LEDGER = 'not written: this response has no incident ledger (ir respond, or a stack without one)';

async function currentRevokePolicy(clients: AwsClients, principal: KeyRecordArgs['principal']): Promise<string | null> {
  try {
    const answer =
      principal.kind === 'user'
        ? await clients.iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: REVOKE_POLICY_NAME }))
        : await clients.iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
    // IAM returns the document URL-encoded.
    return answer?.PolicyDocument ? decodeURIComponent(answer.PolicyDocument) : null;
  } catch (error) {
    if (toStepError(error).code === 'NoSuchEntity') return null;
    throw error;
  }
}

export function keyRestoreRecordStep(args: KeyRecordArgs): PlannedStep {
  const { accountId, principal } = args;
  const resourceId = args.accessKeyId ?? `${principal.kind}/${principal.name}`;
  const key = accountId ? accessKeyRestoreKey(accountId, resourceId) : null;
  const record = { ...(args.accessKey ? { accessKey: args.accessKey } : {}), sessionPolicies: [{ principal, previousDocument: `<${REVOKE_POLICY_NAME} of the ${principal.kind} when the step runs, or none>` }] };
  return planStep(RECORD_KEY_RESTORE_STATE, {
    id: RECORD_KEY_ID,
    title: `Record the status of ${args.accessKeyId ?? 'the key'} and the revoke policy of ${principal.kind} ${principal.name} in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key ?? '(no restore record: the finding names no account)',
    parameters: { Key: key, record },
    why: 'before the first change: ir release --access-key reactivates the key only if it was Active, and removes only the revoke policy the responder wrote',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      if (!key || !accountId) throw new ResponderError('RestoreRecordUnkeyed', 'the finding names no account, so the restore record has no key: nothing is changed', false);
      try {
        const previousDocument = await currentRevokePolicy(ctx.clients, principal);
        await ctx.restoreLedger.record({
          key,
          kind: 'access-key',
          resourceId,
          accountId,
          region: args.region ?? 'global',
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: { ...(args.accessKey ? { accessKey: args.accessKey } : {}), sessionPolicies: [{ principal, previousDocument }] },
        });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: originals recorded where not recorded before` };
    },
  });
}

/** Every change requires the record. */
export function afterKeyRecord(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.map((step) => (step.mutating ? { ...step, requires: [...new Set([RECORD_KEY_ID, ...step.requires])] } : step));
}
