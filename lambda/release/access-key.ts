import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { accessKeyResource } from '../ledger/incident-resource';
import { accessKeyRestoreKey, type RecordedSessionPolicy, type RestoreRecord } from '../ledger/restore-record';
import { planStep, type PlannedStep } from '../plan/types';
import { sessionPolicySteps } from './session-policies';

export { isResponderRevokePolicy } from './session-policies';
import { keyReleaseNote } from './note';
import { releaseFailed, type RecordReleaseOutcome } from './report';
import { keyAsKey, releaseFromRestoreRecord, type RecordReleaseContext, type RecordReleaseOptions, type RecordReleasePlan } from './restore-record-release';
import { REACTIVATE_ACCESS_KEY, READ_KEY_STATE } from './specs';

/*
 * `ir release --access-key`: undoes revoke-credentials from its restore
 * record in the ledger, and from nothing else (IAM has no tags the response
 * wrote). The key is reactivated only if the record says it was Active
 * before the response and it is Inactive now; the AWSRevokeOlderSessions
 * policy is removed only where the record says the principal had none
 * before (a policy someone put there earlier stays), only while it still
 * is the responder's shape (one Deny of everything to sessions issued
 * before a time), and only while no other open incident revoked the same
 * principal (session-policies.ts). The release is recorded in the ledger and notified.
 */

export interface KeyReleaseOptions extends RecordReleaseOptions {
  /** `--principal user/NAME | role/NAME`: the release goes ahead only if the record is of this principal. */
  readonly principal?: { readonly kind: 'user' | 'role'; readonly name: string };
}

export interface KeyReleaseReport extends RecordReleaseOutcome {
  readonly accessKeyId: string;
  readonly key: string | null;
  readonly record: { readonly accessKey: RestoreRecord['accessKey']; readonly sessionPolicies: readonly RecordedSessionPolicy[] } | null;
}

type KeyRecord = NonNullable<KeyReleaseReport['record']>;

function reactivateStep(userName: string, accessKeyId: string): PlannedStep {
  const parameters = { UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' as const };
  return planStep(REACTIVATE_ACCESS_KEY, {
    id: 'reactivate-access-key',
    title: `Reactivate access key ${accessKeyId} of IAM user ${userName}`,
    action: 'iam:UpdateAccessKey',
    target: `${userName} (access key ${accessKeyId})`,
    parameters,
    why: 'the ledger records it Active before the response deactivated it',
    stage: 1,
    run: async (ctx) => {
      await ctx.clients.iam.send(new UpdateAccessKeyCommand(parameters));
      return { status: 'done', detail: `${accessKeyId} is Active` };
    },
  });
}

/** The key back to Active and the revoke policies off, as the record says and as things are now; refused when the record is of another principal than `--principal` names. */
async function planKeyRelease(accessKeyId: string, options: KeyReleaseOptions, { accountId, key, restore, reads }: RecordReleaseContext<KeyRecord>): Promise<RecordReleasePlan> {
  if (options.principal) {
    const expected = options.principal;
    const named = [...restore.sessionPolicies.map((p) => p.principal), ...(restore.accessKey ? [{ kind: 'user' as const, name: restore.accessKey.userName }] : [])];
    if (!named.some((p) => p.kind === expected.kind && p.name === expected.name)) {
      const recorded = [...new Set(named.map((p) => `${p.kind}/${p.name}`))].join(', ') || 'no principal';
      return { refused: `the restore record ${key} is of ${recorded}, not ${expected.kind}/${expected.name}: nothing was changed` };
    }
  }

  const steps: PlannedStep[] = [];
  const warnings: string[] = [];
  if (restore.accessKey) {
    const { userName, status } = restore.accessKey;
    const listed = await reads.read(READ_KEY_STATE, `List the access keys of IAM user ${userName}`, userName, () => options.clients.iam.send(new ListAccessKeysCommand({ UserName: userName })));
    const now_ = listed.ok ? listed.value.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId)?.Status : undefined;
    if (status !== 'Active') warnings.push(`${accessKeyId} was ${status} before the response: it stays as it is.`);
    else if (!listed.ok) warnings.push(`The keys of ${userName} could not be listed (${listed.error.code}): ${accessKeyId} is reactivated as the record says (IAM refuses if it is not the user's).`);
    else if (now_ === undefined) warnings.push(`${accessKeyId} is no longer a key of IAM user ${userName}: nothing to reactivate.`);
    else if (now_ === 'Active') warnings.push(`${accessKeyId} is Active already.`);
    if (status === 'Active' && (!listed.ok || now_ === 'Inactive')) steps.push(reactivateStep(userName, accessKeyId));
  }
  steps.push(...(await sessionPolicySteps({ clients: options.clients, reads, ledger: options.ledger, accountId, key, policies: restore.sessionPolicies }, warnings)));
  return { steps, warnings };
}

export async function releaseAccessKey(accessKeyId: string, options: KeyReleaseOptions): Promise<KeyReleaseReport> {
  return releaseFromRestoreRecord(
    {
      names: { accessKeyId },
      keyField: keyAsKey,
      accountOf: 'key',
      restoreKey: (accountId) => accessKeyRestoreKey(accountId, accessKeyId),
      subject: accessKeyId,
      recordOf: (restore) => ({ record: { accessKey: restore.accessKey, sessionPolicies: restore.sessionPolicies } }),
      plan: (context) => planKeyRelease(accessKeyId, options, context),
      resource: { kind: 'access-key', resourceId: accessKeyId },
      incidentResource: (accountId) => accessKeyResource(accountId, accessKeyId),
      evidenceNames: { accessKeyId },
      note: keyReleaseNote,
    },
    options,
  );
}

/** Refused, a failed read or step, a release not recorded or not notified: the same rule as an instance's release. */
export function keyReleaseFailed(report: KeyReleaseReport): boolean {
  return releaseFailed(report);
}
