import { onlyAttributes, onlyTagKeys, removesSharingOnly } from '../../iam/ec2-conditions';
import type { StepSpec } from '../../plan/types';

/*
 * Every AWS call quarantine-image makes, reads included: its role is derived
 * from this list. EC2 writes are confined to snapshots and images and to the
 * tag keys and attributes the steps write.
 */

export const INFECTED_TAG = 'ir:malware';
export const INFECTED_VALUE = 'infected';
export const IMAGE_TAG_KEYS: readonly string[] = [INFECTED_TAG, 'ir:incident-id', 'ir:finding-id', 'ir:finding-type'];

/** DescribeSnapshots (owner self): the snapshot exists in the finding's account, and is this account's to change. DescribeSnapshotAttribute: whom it is shared with. */
export const READ_SNAPSHOT: StepSpec = { kind: 'describe-snapshot-sharing', iamActions: ['ec2:DescribeSnapshots', 'ec2:DescribeSnapshotAttribute'], mutating: false };
/** DescribeImages (owner self) and DescribeImageAttribute launchPermission. */
export const READ_IMAGE: StepSpec = { kind: 'describe-image-sharing', iamActions: ['ec2:DescribeImages', 'ec2:DescribeImageAttribute'], mutating: false };

/** DescribeRecoveryPoint: the recovery point is in the named vault of the finding's account. */
export const READ_RECOVERY_POINT: StepSpec = { kind: 'describe-recovery-point', iamActions: ['backup:DescribeRecoveryPoint'], mutating: false };

/** The incident's tags on the snapshot or image: only these keys, only on snapshots and images. */
export const TAG_IMAGE_INFECTED: StepSpec = {
  kind: 'tag-image-infected',
  iamActions: ['ec2:CreateTags'],
  mutating: true,
  changeClass: 'unshare-image',
  iamGrants: [{ action: 'ec2:CreateTags', ec2ResourceTypes: ['snapshot', 'image'], condition: onlyTagKeys(IMAGE_TAG_KEYS) }],
};
/** backup:TagResource on a recovery point AWS Backup holds (not an EC2 snapshot or AMI): only these keys. */
export const TAG_RECOVERY_POINT_INFECTED: StepSpec = {
  kind: 'tag-recovery-point-infected',
  iamActions: ['backup:TagResource'],
  mutating: true,
  changeClass: 'unshare-image',
  iamGrants: [{ action: 'backup:TagResource', condition: onlyTagKeys(IMAGE_TAG_KEYS) }],
};
/** ModifySnapshotAttribute createVolumePermission remove: only that attribute, and IAM lets it only remove (no account or public group added). */
export const UNSHARE_SNAPSHOT: StepSpec = {
  kind: 'unshare-snapshot',
  iamActions: ['ec2:ModifySnapshotAttribute'],
  mutating: true,
  changeClass: 'unshare-image',
  iamGrants: [{ action: 'ec2:ModifySnapshotAttribute', ec2ResourceTypes: ['snapshot'], condition: { ...onlyAttributes(['createVolumePermission']), ...removesSharingOnly() } }],
};
/** ModifyImageAttribute launchPermission remove: only that attribute, and IAM lets it only remove (no account or public group added). */
export const UNSHARE_IMAGE: StepSpec = {
  kind: 'unshare-image',
  iamActions: ['ec2:ModifyImageAttribute'],
  mutating: true,
  changeClass: 'unshare-image',
  iamGrants: [{ action: 'ec2:ModifyImageAttribute', ec2ResourceTypes: ['image'], condition: { ...onlyAttributes(['launchPermission']), ...removesSharingOnly() } }],
};

/** The restore record (the ledger): whom the snapshot or image was shared with before. */
export const RECORD_IMAGE_RESTORE_STATE: StepSpec = { kind: 'record-image-restore-state', iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], mutating: true, neverWaits: 'bookkeeping' };
export const QUARANTINE_IMAGE_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_IMAGE_RESTORE_STATE];

export const QUARANTINE_IMAGE_STEP_SPECS: readonly StepSpec[] = [READ_SNAPSHOT, READ_IMAGE, READ_RECOVERY_POINT, TAG_IMAGE_INFECTED, TAG_RECOVERY_POINT_INFECTED, UNSHARE_SNAPSHOT, UNSHARE_IMAGE];
