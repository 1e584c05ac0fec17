import type { Finding } from './schema';

/*
 * What a Malware Protection for Backup finding names: an EBS snapshot
 * (resource.ebsSnapshotDetails.snapshotArn), an AMI
 * (resource.ec2ImageDetails.imageArn) or a backup recovery point
 * (resource.recoveryPointDetails.recoveryPointArn, backupVaultName). An EC2
 * or EBS recovery point IS an AMI or a snapshot (its ARN is the image's or
 * the snapshot's), and is answered as one; any other recovery point is
 * tagged through AWS Backup, and its sharing is the vault's (a manual step).
 * The ids are checked for their form here and the resource is read in the
 * finding's account before anything is done (discover.ts).
 */

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const IMAGE_ID = /^ami-[0-9a-f]{8,17}$/;
const RECOVERY_POINT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:recovery-point:[A-Za-z0-9._:/-]{1,200}$/;
const VAULT_NAME = /^[A-Za-z0-9_.-]{2,50}$/;

export type ImageTarget =
  | { readonly kind: 'snapshot'; readonly snapshotId: string; readonly viaRecoveryPoint: string | null }
  | { readonly kind: 'image'; readonly imageId: string; readonly viaRecoveryPoint: string | null }
  | { readonly kind: 'recovery-point'; readonly recoveryPointArn: string; readonly vaultName: string | null }
  | { readonly kind: 'none'; readonly why: string };

/** snap-… or ami-… from an EC2 ARN (`arn:aws:ec2:us-east-1::snapshot/snap-…`), checked; null otherwise. */
function ec2IdOf(arn: string | null | undefined): { kind: 'snapshot' | 'image'; id: string } | null {
  const match = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{0,12}:(snapshot|image)\/([a-z0-9-]+)$/.exec(arn ?? '');
  if (!match) return null;
  const [, type, id] = match as unknown as [string, 'snapshot' | 'image', string];
  if (type === 'snapshot' && SNAPSHOT_ID.test(id)) return { kind: 'snapshot', id };
  if (type === 'image' && IMAGE_ID.test(id)) return { kind: 'image', id };
  return null;
}

export function imageTargetOf(finding: Finding): ImageTarget {
  const resource = finding.resource;
  const snapshot = ec2IdOf(resource?.ebsSnapshotDetails?.snapshotArn);
  if (snapshot?.kind === 'snapshot') return { kind: 'snapshot', snapshotId: snapshot.id, viaRecoveryPoint: null };
  const image = ec2IdOf(resource?.ec2ImageDetails?.imageArn);
  if (image?.kind === 'image') return { kind: 'image', imageId: image.id, viaRecoveryPoint: null };
  const point = resource?.recoveryPointDetails;
  const arn = point?.recoveryPointArn;
  if (arn) {
    const ec2 = ec2IdOf(arn);
    if (ec2?.kind === 'snapshot') return { kind: 'snapshot', snapshotId: ec2.id, viaRecoveryPoint: arn };
    if (ec2?.kind === 'image') return { kind: 'image', imageId: ec2.id, viaRecoveryPoint: arn };
    if (RECOVERY_POINT_ARN.test(arn)) {
      const vault = point.backupVaultName && VAULT_NAME.test(point.backupVaultName) ? point.backupVaultName : null;
      return { kind: 'recovery-point', recoveryPointArn: arn, vaultName: vault };
    }
  }
  return { kind: 'none', why: 'the finding names no well-formed EBS snapshot, AMI or recovery point (resource.ebsSnapshotDetails, ec2ImageDetails, recoveryPointDetails)' };
}
