import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../aws/clients';
import { accessKeyResource } from '../ledger/incident-resource';
import { accessKeyRestoreKey, type RecordedSessionPolicy, type RestoreLedger, type RestoreRecord } from '../ledger/restore-record';
import type { StepReport } from '../plan/document';
import { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep, type StepOutcome } from '../plan/types';
import type { NoteTopics } from '../notify/operator-note-publish';
import { finishResourceRelease } from './finish';
import { runReleaseSteps } from './run-steps';
import { sessionPolicySteps } from './session-policies';

export { isResponderRevokePolicy } from './session-policies';
import type { ReleaseEvidenceTarget } from './evidence';
import { keyReleaseNote } from './note';
import { releaseFailed, type ReleaseLedgerEntry, type ReleaseNotification } from './report';
import type { PendingApprovals } from '../approval/pending';
import { readHeldContainment } from './held-containment';
import { READ_RESTORE_RECORD, REACTIVATE_ACCESS_KEY, READ_KEY_STATE } from './specs';
import { readReleaser, refusedReleaseParts } from './refusal';

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

export interface KeyReleaseOptions {
  readonly clients: AwsClients;
  readonly ledger: RestoreLedger;
  readonly dryRun: boolean;
  /** The stack's topic (and chat topic): the release is notified there. */
  readonly notify?: NoteTopics;
  /** The stack's evidence bucket, where the release's record is kept. */
  readonly evidence?: ReleaseEvidenceTarget;
  /** The evidence folder's region when the record names none (written before records named theirs): the operator's. */
  readonly region?: string;
  readonly now?: () => Date;
  /** The incident ledger's pending approvals (the same table): a revocation held for a decision and never made is not undone. */
  readonly approvals?: PendingApprovals;
  /** `--principal user/NAME | role/NAME`: the release goes ahead only if the record is of this principal. */
  readonly principal?: { readonly kind: 'user' | 'role'; readonly name: string };
}

export interface KeyReleaseReport {
  readonly accessKeyId: string;
  readonly dryRun: boolean;
  readonly refused: string | null;
  readonly key: string | null;
  readonly record: { readonly accessKey: RestoreRecord['accessKey']; readonly sessionPolicies: readonly RecordedSessionPolicy[] } | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly ledger: ReleaseLedgerEntry | null;
  readonly notification: ReleaseNotification | null;
  /** The same note on the stack's chat topic; null when it has none, or nothing was sent. */
  readonly chatNotification: ReleaseNotification | null;
  /** The record of the release in the evidence bucket (lambda/release/evidence.ts). */
  readonly evidence: StepReport | null;
}

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

export async function releaseAccessKey(accessKeyId: string, options: KeyReleaseOptions): Promise<KeyReleaseReport> {
  const now = options.now ?? (() => new Date());
  const reads = new ReadLog();
  const base = { accessKeyId, dryRun: options.dryRun, ledger: null, notification: null, chatNotification: null, steps: [], summary: { done: 0, skipped: 0, failed: 0 } };
  const evidenceTarget = options.evidence ?? {};
  const refuse = async (refused: string, key: string | null = null, record: KeyReleaseReport['record'] = null): Promise<KeyReleaseReport> => ({
    ...base,
    key,
    record,
    ...(await refusedReleaseParts(refused, reads, evidenceTarget)),
  });
  const caller = await readReleaser(reads, options.clients);
  if (!caller.ok || !caller.value.Account) return refuse('the account of the key could not be learned (sts:GetCallerIdentity): nothing was changed');
  const key = accessKeyRestoreKey(caller.value.Account, accessKeyId);
  const read = await reads.read(READ_RESTORE_RECORD, `Read the restore record of ${accessKeyId} from the ledger ${options.ledger.tableName}`, key, () => options.ledger.read(key));
  if (!read.ok) return refuse(`the restore record ${key} could not be read from the ledger ${options.ledger.tableName} (${read.error.code}): nothing was changed`, key);
  const restore = read.value;
  if (!restore) return refuse(`the ledger ${options.ledger.tableName} holds no restore record of ${accessKeyId} (${key}): nothing was changed`, key);
  const record = { accessKey: restore.accessKey, sessionPolicies: restore.sessionPolicies };
  if (restore.closedAt) return refuse(`the restore record ${key} was released at ${restore.closedAt}: nothing to release, nothing was changed`, key, record);
  const held = await readHeldContainment(options.approvals, restore, reads);
  if (held) return refuse(held, key, record);
  if (options.principal) {
    const expected = options.principal;
    const named = [...restore.sessionPolicies.map((p) => p.principal), ...(restore.accessKey ? [{ kind: 'user' as const, name: restore.accessKey.userName }] : [])];
    if (!named.some((p) => p.kind === expected.kind && p.name === expected.name)) {
      const recorded = [...new Set(named.map((p) => `${p.kind}/${p.name}`))].join(', ') || 'no principal';
      return refuse(`the restore record ${key} is of ${recorded}, not ${expected.kind}/${expected.name}: nothing was changed`, key, record);
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
  steps.push(...(await sessionPolicySteps({ clients: options.clients, reads, ledger: options.ledger, accountId: caller.value.Account, key, policies: restore.sessionPolicies }, warnings)));
  const ran = await runReleaseSteps(steps, { clients: options.clients, now, dryRun: options.dryRun });
  const report: KeyReleaseReport = {
    ...base,
    refused: null,
    key,
    record,
    warnings,
    reads: reads.outcomes,
    ...ran,
    evidence: null,
  };
  const accountId = caller.value.Account;
  return finishResourceRelease(report, {
    ledger: options.ledger,
    key,
    restore,
    operator: caller.value.Arn ?? 'unknown',
    accountId,
    region: restore.region ?? options.region ?? null,
    resource: { kind: 'access-key', resourceId: accessKeyId },
    incidentResource: accessKeyResource(accountId, accessKeyId),
    evidenceKind: 'access-key-release',
    evidenceNames: { accessKeyId },
    dryRun: options.dryRun,
    evidence: evidenceTarget,
    notify: options.notify,
    note: keyReleaseNote,
    now,
  });
}

/** Refused, a failed read or step, a release not recorded or not notified: the same rule as an instance's release. */
export function keyReleaseFailed(report: KeyReleaseReport): boolean {
  return releaseFailed(report);
}
