import { DeleteRolePolicyCommand, DeleteUserPolicyCommand, GetRolePolicyCommand, GetUserPolicyCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { REVOKE_POLICY_NAME } from '../iam/revoke-sessions';
import { accessKeyResource } from '../ledger/incident-resource';
import { accessKeyRestoreKey, type RecordedSessionPolicy, type RestoreLedger, type RestoreRecord } from '../ledger/restore-record';
import type { StepReport } from '../plan/document';
import { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep, type StepOutcome } from '../plan/types';
import type { NoteTopics } from '../notify/operator-note-publish';
import { finishResourceRelease } from './finish';
import { runReleaseSteps } from './run-steps';
import { keepReleaseEvidence, type ReleaseEvidenceTarget } from './evidence';
import { keyReleaseNote } from './note';
import { releaseFailed, type ReleaseLedgerEntry, type ReleaseNotification } from './report';
import type { PendingApprovals } from '../approval/pending';
import { readHeldContainment } from './held-containment';
import { READ_OPERATOR, READ_RESTORE_RECORD, REACTIVATE_ACCESS_KEY, READ_KEY_STATE, REMOVE_SESSION_POLICY } from './specs';

/*
 * `ir release --access-key`: undoes revoke-credentials from its restore
 * record in the ledger, and from nothing else (IAM has no tags the response
 * wrote). The key is reactivated only if the record says it was Active
 * before the response and it is Inactive now; the AWSRevokeOlderSessions
 * policy is removed only where the record says the principal had none
 * before (a policy someone put there earlier stays), and only while it still
 * is the responder's shape: one Deny of everything to sessions issued
 * before a time. The release is recorded in the ledger and notified.
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

/** The responder's revoke policy, as lambda/iam/revoke-sessions.ts writes it: nothing else is removed. */
export function isResponderRevokePolicy(document: string): boolean {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [];
    if (statements.length !== 1) return false;
    const statement = statements[0] as Record<string, unknown>;
    const all = (value: unknown) => JSON.stringify(value) === '["*"]' || value === '*';
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    return (
      statement.Effect === 'Deny' &&
      all(statement.Action) &&
      all(statement.Resource) &&
      condition !== undefined &&
      Object.keys(condition).join() === 'DateLessThan' &&
      Object.keys(condition.DateLessThan ?? {}).join() === 'aws:TokenIssueTime'
    );
  } catch {
    return false;
  }
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

export function removePolicyStep(principal: RecordedSessionPolicy['principal']): PlannedStep {
  const parameters = principal.kind === 'user' ? { UserName: principal.name, PolicyName: REVOKE_POLICY_NAME } : { RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME };
  return planStep(REMOVE_SESSION_POLICY, {
    id: `remove-session-policy:${principal.kind}:${principal.name}`,
    title: `Remove the responder's ${REVOKE_POLICY_NAME} from IAM ${principal.kind} ${principal.name}`,
    action: principal.kind === 'user' ? 'iam:DeleteUserPolicy' : 'iam:DeleteRolePolicy',
    target: `${principal.kind} ${principal.name}`,
    parameters,
    why: 'the response put it there (the ledger records none before); sessions issued before the response work again',
    stage: 1,
    run: async (ctx) => {
      if (principal.kind === 'user') await ctx.clients.iam.send(new DeleteUserPolicyCommand({ UserName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      else await ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      return { status: 'done' };
    },
  });
}

export async function currentPolicy(clients: AwsClients, reads: ReadLog, principal: RecordedSessionPolicy['principal']): Promise<{ ok: true; document: string | null } | { ok: false; code: string }> {
  const result = await reads.read(READ_KEY_STATE, `Read ${REVOKE_POLICY_NAME} of ${principal.kind} ${principal.name}`, `${principal.kind}/${principal.name}`, async () => {
    try {
      const answer =
        principal.kind === 'user'
          ? await clients.iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: REVOKE_POLICY_NAME }))
          : await clients.iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      return answer.PolicyDocument ? decodeURIComponent(answer.PolicyDocument) : null;
    } catch (error) {
      if (toStepError(error).code === 'NoSuchEntity') return null;
      throw error;
    }
  });
  return result.ok ? { ok: true, document: result.value } : { ok: false, code: result.error.code };
}

export async function releaseAccessKey(accessKeyId: string, options: KeyReleaseOptions): Promise<KeyReleaseReport> {
  const now = options.now ?? (() => new Date());
  const reads = new ReadLog();
  const base = { accessKeyId, dryRun: options.dryRun, ledger: null, notification: null, chatNotification: null, steps: [], summary: { done: 0, skipped: 0, failed: 0 } };
  const evidenceTarget = options.evidence ?? {};
  const refusedEvidence = () => keepReleaseEvidence({ ...evidenceTarget, skip: 'the release was refused: nothing was changed, nothing to keep' }, '(none)', () => null);
  const refuse = async (refused: string, key: string | null = null, record: KeyReleaseReport['record'] = null): Promise<KeyReleaseReport> => ({
    ...base,
    refused,
    key,
    record,
    warnings: [],
    reads: reads.outcomes,
    evidence: await refusedEvidence(),
  });
  const caller = await reads.read(READ_OPERATOR, 'Who releases (recorded with the release)', 'sts', () => options.clients.sts.send(new GetCallerIdentityCommand({})));
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
  for (const policy of restore.sessionPolicies) {
    const { principal } = policy;
    if (policy.previousDocument !== null) {
      warnings.push(`${principal.kind} ${principal.name} had a ${REVOKE_POLICY_NAME} policy before the response (it is in the record): it is left in place; remove it by hand if it is not wanted.`);
      continue;
    }
    const current = await currentPolicy(options.clients, reads, principal);
    if (!current.ok) warnings.push(`${REVOKE_POLICY_NAME} of ${principal.kind} ${principal.name} could not be read (${current.code}): it is not removed.`);
    else if (current.document === null) warnings.push(`${principal.kind} ${principal.name} has no ${REVOKE_POLICY_NAME} policy now: nothing to remove.`);
    else if (!isResponderRevokePolicy(current.document)) warnings.push(`${REVOKE_POLICY_NAME} of ${principal.kind} ${principal.name} is not the responder's (its document was changed): it is left in place.`);
    else steps.push(removePolicyStep(principal));
  }
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
