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

export const RELEASE_STEP_SPECS: readonly StepSpec[] = [
  READ_INSTANCE,
  READ_PROFILE_ASSOCIATION,
  READ_EVIDENCE_SNAPSHOTS,
  RESTORE_NETWORK_INTERFACE,
  RESTORE_INSTANCE_PROFILE,
  REMOVE_INCIDENT_TAGS,
];
