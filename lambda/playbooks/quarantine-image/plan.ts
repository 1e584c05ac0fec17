import { CreateTagsCommand, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { TagResourceCommand } from '@aws-sdk/client-backup';
import { ResponderError, toStepError } from '../../aws/errors';
import type { GuardVerdict } from '../../guards/types';
import { IMAGE_UNREADABLE } from '../../guards/unreadable';
import { imageRestoreKey, type RecordedSharePermission } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import { untrusted } from '../../text/untrusted';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { QuarantineImageFacts } from './facts';
import { INFECTED_TAG, INFECTED_VALUE, RECORD_IMAGE_RESTORE_STATE, TAG_IMAGE_INFECTED, TAG_RECOVERY_POINT_INFECTED, UNSHARE_IMAGE, UNSHARE_SNAPSHOT } from './specs';

/*
 * Malware found in a backup: the snapshot, AMI or recovery point is marked
 * infected (so nobody restores or launches from it unawares) and stops being
 * shared with other accounts (or the public), each grant recorded first so
 * ir release can give it back. Nothing is deleted: it is the evidence.
 */

const OFFLINE_SHARING = '<every account and group it is shared with, read first>';
export const RECORD_IMAGE_ID = 'record-restore:image';

function block(id: string, reason: string): GuardVerdict {
  return { id, blocks: true, reason };
}

function verdictOf(facts: QuarantineImageFacts): GuardVerdict | null {
  switch (facts.lookup.status) {
    case 'no-target':
      return block('no-image', `${facts.lookup.why}: there is nothing to quarantine`);
    case 'not-found':
      return block('image-not-found', `the snapshot or image the finding names is not the finding's account's (${facts.lookup.detail}): nothing is changed`);
    case 'unreadable':
      return block(IMAGE_UNREADABLE, `the snapshot or image could not be read (${facts.lookup.error.code}: ${facts.lookup.error.message}): nothing is changed`);
    default:
      return null;
  }
}

function incidentTags(input: PlanningInput<QuarantineImageFacts>) {
  const { finding, incidentId } = input;
  return [
    { Key: INFECTED_TAG, Value: INFECTED_VALUE },
    { Key: 'ir:incident-id', Value: incidentId },
    { Key: 'ir:finding-id', Value: finding.id },
    { Key: 'ir:finding-type', Value: finding.type.slice(0, 256) },
  ];
}

function recordStep(kind: 'snapshot' | 'image', id: string, permissions: readonly RecordedSharePermission[], input: PlanningInput<QuarantineImageFacts>): PlannedStep {
  const { finding, incidentId } = input;
  const accountId = finding.accountId ?? null;
  const region = finding.region ?? null;
  const key = accountId && region ? imageRestoreKey(accountId, region, id) : null;
  const facts = { imageSharing: { kind, permissions: [...permissions] } };
  return planStep(RECORD_IMAGE_RESTORE_STATE, {
    id: RECORD_IMAGE_ID,
    title: `Record whom ${kind} ${id} is shared with in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key ?? '(no restore record: the finding names no account or region)',
    parameters: { Key: key, record: facts },
    why: 'before the sharing is removed: ir release gives it back from this record, and if it cannot be written nothing is removed',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: 'not written: this response has no incident ledger' };
      if (!key || !accountId || !region) throw new ResponderError('RestoreRecordUnkeyed', 'the finding names no account or region: nothing is changed', false);
      try {
        await ctx.restoreLedger.record({ key, kind: 'image', resourceId: id, accountId, region, incidentId, findingId: finding.id, facts });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}` };
    },
  });
}

function snapshotUnshare(id: string, permissions: readonly RecordedSharePermission[] | null): PlannedStep {
  const userIds = (permissions ?? []).flatMap((p) => (p.userId ? [p.userId] : []));
  const groups = (permissions ?? []).flatMap((p) => (p.group ? [p.group] : []));
  const parameters = permissions
    ? { SnapshotId: id, Attribute: 'createVolumePermission', OperationType: 'remove', ...(userIds.length > 0 ? { UserIds: userIds } : {}), ...(groups.length > 0 ? { GroupNames: groups } : {}) }
    : { SnapshotId: id, Attribute: 'createVolumePermission', OperationType: 'remove', UserIds: [OFFLINE_SHARING] };
  return planStep(UNSHARE_SNAPSHOT, {
    id: 'unshare-snapshot',
    title: `Stop sharing snapshot ${id}${groups.includes('all') ? ' (it is public)' : ''}`,
    action: 'ec2:ModifySnapshotAttribute',
    target: id,
    parameters,
    why: 'no other account can create a volume from the infected snapshot; only the grants read are removed, each recorded first',
    stage: 1,
    requires: [RECORD_IMAGE_ID],
    run: async (ctx) => {
      await ctx.clients.ec2.send(new ModifySnapshotAttributeCommand(parameters as ConstructorParameters<typeof ModifySnapshotAttributeCommand>[0]));
      return { status: 'done', detail: `removed ${[...userIds, ...groups.map((g) => `group ${g}`)].join(', ')}` };
    },
  });
}

function imageUnshare(id: string, permissions: readonly RecordedSharePermission[] | null): PlannedStep {
  const remove = (permissions ?? []).map((p) =>
    p.userId ? { UserId: p.userId } : p.group ? { Group: p.group as 'all' } : p.organizationArn ? { OrganizationArn: p.organizationArn } : { OrganizationalUnitArn: p.organizationalUnitArn },
  );
  const parameters = { ImageId: id, LaunchPermission: { Remove: permissions ? remove : [{ UserId: OFFLINE_SHARING }] } };
  return planStep(UNSHARE_IMAGE, {
    id: 'unshare-image',
    title: `Stop sharing image ${id}`,
    action: 'ec2:ModifyImageAttribute',
    target: id,
    parameters,
    why: 'no other account (nor the public) can launch the infected image; only the grants read are removed, each recorded first',
    stage: 1,
    requires: [RECORD_IMAGE_ID],
    run: async (ctx) => {
      await ctx.clients.ec2.send(new ModifyImageAttributeCommand({ ImageId: id, LaunchPermission: { Remove: remove } }));
      return { status: 'done', detail: `removed ${remove.length} launch permission(s)` };
    },
  });
}

function ec2TagStep(kind: 'snapshot' | 'image', id: string, input: PlanningInput<QuarantineImageFacts>): PlannedStep {
  const parameters = { Resources: [id], Tags: incidentTags(input) };
  return planStep(TAG_IMAGE_INFECTED, {
    id: 'tag-infected',
    title: `Tag ${kind} ${id} as infected`,
    action: 'ec2:CreateTags',
    target: id,
    parameters,
    why: 'whoever would restore or launch from it sees it is infected, and which incident says so',
    stage: 0,
    run: async (ctx) => {
      await ctx.clients.ec2.send(new CreateTagsCommand(parameters));
      return { status: 'done' };
    },
  });
}

const KEEP = 'It is kept, not deleted: it is the evidence. Delete it (and any copy) once the investigation is over.';

export function planQuarantineImage(input: PlanningInput<QuarantineImageFacts>): PlaybookPlan {
  const { facts } = input;
  const verdict = verdictOf(facts);
  const resource = { target: facts.target, sharing: facts.sharing };
  if (verdict) return { steps: [], warnings: [], verdicts: [verdict], resourceTags: facts.tags, resource };
  const { target } = facts;
  const offline = facts.source === 'finding';
  const warnings: string[] = offline ? ['Planned offline from the finding alone: whom it is shared with was not read; a real response reads it first and removes only those grants.'] : [];
  if (target.kind === 'recovery-point') {
    const tags = Object.fromEntries(incidentTags(input).map((t) => [t.Key, t.Value]));
    const step = planStep(TAG_RECOVERY_POINT_INFECTED, {
      id: 'tag-infected',
      title: 'Tag the recovery point as infected',
      action: 'backup:TagResource',
      target: target.recoveryPointArn,
      parameters: { ResourceArn: target.recoveryPointArn, Tags: tags },
      why: 'whoever would restore from it sees it is infected, and which incident says so',
      stage: 0,
      run: async (ctx) => {
        await ctx.clients.backup.send(new TagResourceCommand({ ResourceArn: target.recoveryPointArn, Tags: tags }));
        return { status: 'done' };
      },
    });
    const vault = target.vaultName ? `vault ${untrusted(target.vaultName)}` : 'its backup vault';
    warnings.push(
      `MANUAL: AWS Backup has no per-recovery-point sharing to remove: other accounts reach it through ${vault}'s access policy and through copies to their vaults. ` +
        'Review the access policy (aws backup get-backup-vault-access-policy) and the copy jobs to other accounts by hand, and do not restore from this recovery point.',
      KEEP,
    );
    return { steps: [step], warnings, verdicts: [], resourceTags: facts.tags, resource };
  }
  if (target.kind === 'none') return { steps: [], warnings, verdicts: [], resourceTags: facts.tags, resource };
  const kind = target.kind;
  const id = target.kind === 'snapshot' ? target.snapshotId : target.imageId;
  const steps: PlannedStep[] = [ec2TagStep(kind, id, input)];
  const shared = facts.sharing;
  if (offline || (shared && shared.length > 0)) {
    steps.push(recordStep(kind, id, shared ?? [], input));
    steps.push(kind === 'snapshot' ? snapshotUnshare(id, shared) : imageUnshare(id, shared));
  } else {
    warnings.push(`${kind === 'snapshot' ? 'Snapshot' : 'Image'} ${id} is shared with no other account: nothing to unshare.`);
  }
  if (target.viaRecoveryPoint) warnings.push(`It is AWS Backup recovery point ${untrusted(target.viaRecoveryPoint)}: copies in other vaults or accounts are not touched; review them by hand.`);
  if (kind === 'image') warnings.push("The account's image block public access (DisableImageBlockPublicAccess) is account-wide and is not touched; the AMI's snapshots keep their own sharing: review them.");
  warnings.push(KEEP);
  return { steps, warnings, verdicts: [], resourceTags: facts.tags, resource };
}
