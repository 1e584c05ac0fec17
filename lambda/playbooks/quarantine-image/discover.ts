import { DescribeRecoveryPointCommand } from '@aws-sdk/client-backup';
import { DescribeImageAttributeCommand, DescribeImagesCommand, DescribeSnapshotAttributeCommand, DescribeSnapshotsCommand, type Tag } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { RecordedSharePermission } from '../../ledger/restore-record';
import type { ReadLog } from '../../plan/reads';
import type { QuarantineImageFacts } from './facts';
import { READ_IMAGE, READ_RECOVERY_POINT, READ_SNAPSHOT } from './specs';
import { imageTargetOf } from '../../finding/image-target';

/*
 * The snapshot or image the finding names, read in the finding's account
 * and owned by it (Owner self): only an owner can change whom it is shared
 * with, and a resource of someone else's is never touched. Its current
 * sharing is what the restore record keeps.
 */

const NOT_FOUND = new Set(['InvalidSnapshot.NotFound', 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable', 'ResourceNotFoundException']);

function tagsOf(list: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])));
}

function permissionsOf(list: readonly { UserId?: string | undefined; Group?: string | undefined; OrganizationArn?: string | undefined; OrganizationalUnitArn?: string | undefined }[] | undefined): RecordedSharePermission[] {
  return (list ?? []).flatMap((p): RecordedSharePermission[] => {
    if (p.UserId) return [{ userId: p.UserId }];
    if (p.Group) return [{ group: p.Group }];
    if (p.OrganizationArn) return [{ organizationArn: p.OrganizationArn }];
    if (p.OrganizationalUnitArn) return [{ organizationalUnitArn: p.OrganizationalUnitArn }];
    return [];
  });
}

export async function discoverQuarantineImageFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<QuarantineImageFacts> {
  const target = imageTargetOf(finding);
  const base = { target, source: 'aws' as const, sharing: null, tags: {} };
  switch (target.kind) {
    case 'none':
      return { ...base, lookup: { status: 'no-target', why: target.why } };
    case 'recovery-point': {
      const { vaultName, recoveryPointArn } = target;
      if (!vaultName) return { ...base, lookup: { status: 'not-found', detail: 'the finding names no well-formed backup vault, so the recovery point cannot be looked up' } };
      const result = await reads.read(READ_RECOVERY_POINT, `Read recovery point ${recoveryPointArn} of vault ${vaultName}`, recoveryPointArn, () =>
        clients.backup.send(new DescribeRecoveryPointCommand({ BackupVaultName: vaultName, RecoveryPointArn: recoveryPointArn })),
      );
      if (!result.ok) return { ...base, lookup: NOT_FOUND.has(result.error.code) ? { status: 'not-found', detail: result.error.code } : { status: 'unreadable', error: result.error } };
      return result.value.RecoveryPointArn === recoveryPointArn ? { ...base, lookup: { status: 'found' } } : { ...base, lookup: { status: 'not-found', detail: 'DescribeRecoveryPoint answered for another recovery point' } };
    }
    case 'snapshot': {
      const id = target.snapshotId;
      const result = await reads.read(READ_SNAPSHOT, `Read snapshot ${id} and whom it is shared with`, id, async () => {
        const described = await clients.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], OwnerIds: ['self'] }));
        const snapshot = described.Snapshots?.find((s) => s.SnapshotId === id);
        if (!snapshot) return null;
        const attribute = await clients.ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission' }));
        return { tags: tagsOf(snapshot.Tags), sharing: permissionsOf(attribute.CreateVolumePermissions) };
      });
      if (!result.ok) return { ...base, lookup: NOT_FOUND.has(result.error.code) ? { status: 'not-found', detail: result.error.code } : { status: 'unreadable', error: result.error } };
      if (!result.value) return { ...base, lookup: { status: 'not-found', detail: `no snapshot ${id} owned by the finding's account` } };
      return { ...base, lookup: { status: 'found' }, ...result.value };
    }
    case 'image': {
      const id = target.imageId;
      const result = await reads.read(READ_IMAGE, `Read image ${id} and whom it is shared with`, id, async () => {
        const described = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [id], Owners: ['self'] }));
        const image = described.Images?.find((i) => i.ImageId === id);
        if (!image) return null;
        const attribute = await clients.ec2.send(new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }));
        return { tags: tagsOf(image.Tags), sharing: permissionsOf(attribute.LaunchPermissions) };
      });
      if (!result.ok) return { ...base, lookup: NOT_FOUND.has(result.error.code) ? { status: 'not-found', detail: result.error.code } : { status: 'unreadable', error: result.error } };
      if (!result.value) return { ...base, lookup: { status: 'not-found', detail: `no image ${id} owned by the finding's account` } };
      return { ...base, lookup: { status: 'found' }, ...result.value };
    }
  }
}

export function offlineQuarantineImageFacts(finding: Finding): QuarantineImageFacts {
  const target = imageTargetOf(finding);
  return { target, source: 'finding', lookup: target.kind === 'none' ? { status: 'no-target', why: target.why } : { status: 'not-read' }, sharing: null, tags: {} };
}
