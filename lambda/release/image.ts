import { DescribeImagesCommand, DescribeSnapshotsCommand, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand, type LaunchPermission } from '@aws-sdk/client-ec2';
import { imageRestoreKey, type RecordedSharePermission } from '../ledger/restore-record';
import { ReadLog } from '../plan/reads';
import { planStep } from '../plan/types';
import { closeReleasedRecord, type ClosingReleaseOptions, type ClosingReleaseOutcome } from './closing-release';
import { readHeldContainment } from './held-containment';
import { runReleaseSteps } from './run-steps';
import { READ_IMAGE_OWNED, READ_RESTORE_RECORD, RESTORE_IMAGE_SHARING } from './specs';
import { readReleaser } from './refusal';

/*
 * `ir release --image snap-… | ami-…`: gives a snapshot or AMI back the
 * sharing quarantine-image removed, from its restore record in the ledger
 * and from nothing else; then closes the record. The `ir:malware` tag stays
 * (it says a scan found malware; remove it by hand once it is known false).
 * Not yet notified nor kept in the evidence bucket as an instance's release is.
 */

export type ImageReleaseOptions = ClosingReleaseOptions;

export interface ImageReleaseReport extends ClosingReleaseOutcome {
  readonly id: string;
  readonly recordedSharing: readonly RecordedSharePermission[] | null;
}

export const IMAGE_OR_SNAPSHOT_ID = /^(snap|ami)-[0-9a-f]{8,17}$/;

function launchPermissionOf(p: RecordedSharePermission): LaunchPermission {
  if (p.userId) return { UserId: p.userId };
  if (p.group) return { Group: 'all' };
  if (p.organizationArn) return { OrganizationArn: p.organizationArn };
  return { OrganizationalUnitArn: p.organizationalUnitArn };
}

export async function releaseImage(id: string, options: ImageReleaseOptions): Promise<ImageReleaseReport> {
  const { clients } = options;
  const reads = new ReadLog();
  const base = { id, dryRun: options.dryRun, reads: reads.outcomes, steps: [], summary: { done: 0, skipped: 0, failed: 0 }, ledger: null };
  const refuse = (refused: string, key: string | null = null, recordedSharing: readonly RecordedSharePermission[] | null = null): ImageReleaseReport => ({ ...base, refused, key, recordedSharing });
  if (!IMAGE_OR_SNAPSHOT_ID.test(id)) return refuse(`${id} is not a snapshot or image id: nothing was changed`);

  const who = await readReleaser(reads, clients);
  if (!who.ok || !who.value.Account || !who.value.Arn) return refuse('the account could not be learned (sts:GetCallerIdentity): nothing was changed');
  const key = imageRestoreKey(who.value.Account, options.region, id);
  const recordRead = await reads.read(READ_RESTORE_RECORD, `Read the restore record of ${id}`, key, () => options.ledger.read(key));
  if (!recordRead.ok) return refuse(`the restore record could not be read (${recordRead.error.code}): nothing was changed`, key);
  const record = recordRead.value;
  const sharing = record?.imageSharing;
  const kind = id.startsWith('snap-') ? 'snapshot' : 'image';
  if (!record || !sharing || sharing.kind !== kind) return refuse(`the ledger holds no sharing of ${id} (${key}): nothing is restored without a record`, key);
  if (record.closedAt) return refuse(`the record of ${id} was closed at ${record.closedAt} (already released): nothing was changed`, key, sharing.permissions);
  const held = await readHeldContainment(options.approvals, record, reads);
  if (held) return refuse(held, key, sharing.permissions);

  // Still the account's own: a snapshot or image someone deleted (or that is not ours) is given to nobody.
  const owned = await reads.read(READ_IMAGE_OWNED, `Read ${kind} ${id} (owner self)`, id, async () =>
    kind === 'snapshot'
      ? ((await clients.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], OwnerIds: ['self'] }))).Snapshots ?? []).some((s) => s.SnapshotId === id)
      : ((await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [id], Owners: ['self'] }))).Images ?? []).some((i) => i.ImageId === id),
  );
  if (!owned.ok || !owned.value) return refuse(`${kind} ${id} is not this account's (or could not be read): nothing was changed`, key, sharing.permissions);

  const userIds = sharing.permissions.flatMap((p) => (p.userId ? [p.userId] : []));
  const groups = sharing.permissions.flatMap((p) => (p.group ? [p.group] : []));
  const parameters =
    kind === 'snapshot'
      ? { SnapshotId: id, Attribute: 'createVolumePermission', OperationType: 'add', ...(userIds.length > 0 ? { UserIds: userIds } : {}), ...(groups.length > 0 ? { GroupNames: groups } : {}) }
      : { ImageId: id, LaunchPermission: { Add: sharing.permissions.map(launchPermissionOf) } };
  const step = planStep(RESTORE_IMAGE_SHARING, {
    id: 'restore-image-sharing',
    title: `Share ${kind} ${id} again as recorded`,
    action: kind === 'snapshot' ? 'ec2:ModifySnapshotAttribute' : 'ec2:ModifyImageAttribute',
    target: id,
    parameters,
    why: `the restore record ${key} holds the grants quarantine-image removed`,
    stage: 0,
    run: async (ctx) => {
      if (kind === 'snapshot') await ctx.clients.ec2.send(new ModifySnapshotAttributeCommand(parameters as ConstructorParameters<typeof ModifySnapshotAttributeCommand>[0]));
      else await ctx.clients.ec2.send(new ModifyImageAttributeCommand(parameters as ConstructorParameters<typeof ModifyImageAttributeCommand>[0]));
      return { status: 'done', detail: `${sharing.permissions.length} grant(s) given back` };
    },
  });
  const ran = await runReleaseSteps([step], { clients, now: options.now ?? (() => new Date()), dryRun: options.dryRun });
  const report = { ...base, refused: null, key, recordedSharing: sharing.permissions, ...ran };
  if (options.dryRun || ran.steps[0]!.status !== 'done') return { ...report, ledger: { status: 'not-recorded' } };
  return { ...report, ledger: await closeReleasedRecord(options.ledger, key, { by: who.value.Arn, restored: ['image-sharing'], revision: record.revision, resource: { kind: 'image', resourceId: id } }) };
}
