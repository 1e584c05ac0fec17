import { WRITE_EVIDENCE } from '../evidence/specs';
import type { StepSpec } from '../plan/types';

/*
 * Every AWS call `ir release` makes, reads included: whoever runs it needs
 * exactly these actions. Kept apart from contain-instance's declarations so
 * that the playbook's Lambda role gains nothing from the release.
 */

// Reads.
export const READ_INSTANCE: StepSpec = { kind: 'describe-instance', iamActions: ['ec2:DescribeInstances'], mutating: false };
export const READ_PROFILE_ASSOCIATION: StepSpec = {
  kind: 'describe-profile-association',
  iamActions: ['ec2:DescribeIamInstanceProfileAssociations'],
  mutating: false,
};
export const READ_EVIDENCE_SNAPSHOTS: StepSpec = { kind: 'find-evidence-snapshots', iamActions: ['ec2:DescribeSnapshots'], mutating: false };

// Steps.
export const RESTORE_NETWORK_INTERFACE: StepSpec = {
  kind: 'restore-network-interface-groups',
  iamActions: ['ec2:ModifyNetworkInterfaceAttribute'],
  mutating: true,
};
/** iam:PassRole: associating a profile passes its role to EC2. */
export const RESTORE_INSTANCE_PROFILE: StepSpec = {
  kind: 'restore-instance-profile',
  iamActions: ['ec2:AssociateIamInstanceProfile', 'iam:PassRole'],
  mutating: true,
};
export const REMOVE_INCIDENT_TAGS: StepSpec = { kind: 'remove-incident-tags', iamActions: ['ec2:DeleteTags'], mutating: true };
/** Back into the Auto Scaling group the containment detached it from (the group's desired capacity grows by one). */
export const RESTORE_AUTO_SCALING: StepSpec = { kind: 'restore-auto-scaling-group', iamActions: ['autoscaling:AttachInstances'], mutating: true };
export const RESTORE_TARGET_GROUP: StepSpec = { kind: 'restore-target-group', iamActions: ['elasticloadbalancing:RegisterTargets'], mutating: true };
/** Only ever to false, and only when the record says it was off before the containment. */
export const RESTORE_TERMINATION_PROTECTION: StepSpec = { kind: 'restore-termination-protection', iamActions: ['ec2:ModifyInstanceAttribute'], mutating: true };

/* The ledger (security account): the restore record is read first, the release recorded after, and the team notified. */
export const READ_RESTORE_RECORD: StepSpec = { kind: 'read-restore-record', iamActions: ['dynamodb:GetItem'], mutating: false };
/** The incident's pending approval, beside the record: a containment still waiting for (or denied) a decision is not undone (held-containment.ts). */
export const READ_INCIDENT_APPROVAL: StepSpec = { kind: 'read-incident-approval', iamActions: ['dynamodb:GetItem'], mutating: false };
/** Who releases: the operator's identity is recorded with the release. */
export const READ_OPERATOR: StepSpec = { kind: 'read-operator', iamActions: ['sts:GetCallerIdentity'], mutating: false };
export const RECORD_RELEASE: StepSpec = { kind: 'record-release', iamActions: ['dynamodb:UpdateItem'], mutating: true };
export const NOTIFY_RELEASE: StepSpec = { kind: 'notify-release', iamActions: ['sns:Publish'], mutating: true };

/* `ir release --access-key` (access-key.ts). */
export const READ_KEY_STATE: StepSpec = { kind: 'read-key-state', iamActions: ['iam:ListAccessKeys', 'iam:GetUserPolicy', 'iam:GetRolePolicy'], mutating: false };
export const REACTIVATE_ACCESS_KEY: StepSpec = { kind: 'reactivate-access-key', iamActions: ['iam:UpdateAccessKey'], mutating: true };
export const REMOVE_SESSION_POLICY: StepSpec = { kind: 'remove-session-policy', iamActions: ['iam:DeleteUserPolicy', 'iam:DeleteRolePolicy'], mutating: true };
/** The other open restore records of the account that revoked the same principal (a Scan: the ledger has no index): their revocation is kept (session-policies.ts). */
export const READ_OPEN_REVOCATIONS: StepSpec = { kind: 'read-open-revocations', iamActions: ['dynamodb:Scan'], mutating: false };

/* `ir release --bucket` (bucket.ts): the bucket's block read now, then put back as recorded (DeletePublicAccessBlock is authorised by s3:PutBucketPublicAccessBlock). */
export const READ_BUCKET_BLOCK: StepSpec = { kind: 'read-bucket-block', iamActions: ['s3:GetBucketPublicAccessBlock'], mutating: false };
export const RESTORE_BUCKET_BLOCK: StepSpec = { kind: 'restore-bucket-block', iamActions: ['s3:PutBucketPublicAccessBlock'], mutating: true };
/* `ir release --function` (function.ts). */
export const READ_FUNCTION_CONCURRENCY: StepSpec = { kind: 'read-function-concurrency', iamActions: ['lambda:GetFunctionConcurrency'], mutating: false };
/** Back to the recorded reserved concurrency: PutFunctionConcurrency with its value, or DeleteFunctionConcurrency when it had none. */
export const RESTORE_FUNCTION_CONCURRENCY: StepSpec = {
  kind: 'restore-function-concurrency',
  iamActions: ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
  mutating: true,
};
/* `ir release --database` (database.ts). */
export const READ_DATABASE: StepSpec = { kind: 'read-database', iamActions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'], mutating: false };
/** Whether the groups the database is on now are the responder's isolation groups (its tags, name and description). */
export const READ_DATABASE_GROUPS: StepSpec = { kind: 'read-database-groups', iamActions: ['ec2:DescribeSecurityGroups'], mutating: false };
export const RESTORE_DATABASE_GROUPS: StepSpec = { kind: 'restore-database-groups', iamActions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'], mutating: true };

/* `ir release --image` (image.ts). */
export const READ_IMAGE_OWNED: StepSpec = { kind: 'read-image-owned', iamActions: ['ec2:DescribeSnapshots', 'ec2:DescribeImages'], mutating: false };
export const RESTORE_IMAGE_SHARING: StepSpec = { kind: 'restore-image-sharing', iamActions: ['ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute'], mutating: true };

/* `ir release --object` (object.ts): the version's tags (tag mode) or its quarantine copy (copy mode) read now, then the tags put back or the copy copied back. */
export const READ_OBJECT_STATE: StepSpec = {
  kind: 'read-object-state',
  iamActions: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:GetObject', 's3:GetObjectVersion'],
  mutating: false,
};
export const RESTORE_OBJECT_TAGS: StepSpec = { kind: 'restore-object-tags', iamActions: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'], mutating: true };
/** The quarantine copy copied back to its bucket, with its recorded tags: a new version. */
export const RESTORE_OBJECT_COPY: StepSpec = { kind: 'restore-object-copy', iamActions: ['s3:GetObjectVersion', 's3:PutObject', 's3:PutObjectTagging'], mutating: true };

export const RELEASE_STEP_SPECS: readonly StepSpec[] = [
  READ_INSTANCE,
  READ_PROFILE_ASSOCIATION,
  READ_EVIDENCE_SNAPSHOTS,
  READ_RESTORE_RECORD,
  READ_INCIDENT_APPROVAL,
  READ_OPERATOR,
  RESTORE_NETWORK_INTERFACE,
  RESTORE_INSTANCE_PROFILE,
  RESTORE_AUTO_SCALING,
  RESTORE_TARGET_GROUP,
  RESTORE_TERMINATION_PROTECTION,
  REMOVE_INCIDENT_TAGS,
  RECORD_RELEASE,
  NOTIFY_RELEASE,
  // The release's record in the stack's evidence bucket (lambda/release/evidence.ts).
  WRITE_EVIDENCE,
  READ_KEY_STATE,
  REACTIVATE_ACCESS_KEY,
  REMOVE_SESSION_POLICY,
  READ_OPEN_REVOCATIONS,
  READ_BUCKET_BLOCK,
  RESTORE_BUCKET_BLOCK,
  READ_FUNCTION_CONCURRENCY,
  RESTORE_FUNCTION_CONCURRENCY,
  READ_DATABASE,
  READ_DATABASE_GROUPS,
  RESTORE_DATABASE_GROUPS,
  READ_IMAGE_OWNED,
  RESTORE_IMAGE_SHARING,
  READ_OBJECT_STATE,
  RESTORE_OBJECT_TAGS,
  RESTORE_OBJECT_COPY,
];
