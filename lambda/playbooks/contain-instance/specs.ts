import { REVOKE_ROLE_SESSIONS } from '../../iam/revoke-sessions';
import type { StepSpec } from '../../plan/types';

/*
 * Every AWS call this playbook makes, reads included. The Lambda role is
 * derived from this list, so a call that is not declared here is a call the
 * deployed playbook cannot make.
 */

// Reads (discovery, before planning).
export const READ_INSTANCE: StepSpec = { kind: 'describe-instance', iamActions: ['ec2:DescribeInstances'], mutating: false };
export const READ_RESPONDER_SECURITY_GROUPS: StepSpec = {
  kind: 'find-responder-security-groups',
  iamActions: ['ec2:DescribeSecurityGroups'],
  mutating: false,
};
export const READ_AUTO_SCALING_MEMBERSHIP: StepSpec = {
  kind: 'describe-auto-scaling-instance',
  iamActions: ['autoscaling:DescribeAutoScalingInstances'],
  mutating: false,
};
export const READ_TARGET_GROUPS: StepSpec = {
  kind: 'describe-target-groups',
  iamActions: ['elasticloadbalancing:DescribeTargetGroups'],
  mutating: false,
};
export const READ_TARGET_HEALTH: StepSpec = {
  kind: 'describe-target-health',
  iamActions: ['elasticloadbalancing:DescribeTargetHealth'],
  mutating: false,
};
export const READ_EVIDENCE_SNAPSHOTS: StepSpec = { kind: 'find-evidence-snapshots', iamActions: ['ec2:DescribeSnapshots'], mutating: false };
export const READ_INSTANCE_PROFILE: StepSpec = { kind: 'get-instance-profile', iamActions: ['iam:GetInstanceProfile'], mutating: false };
export const READ_PROFILE_SHARERS: StepSpec = {
  kind: 'find-instances-sharing-profile',
  iamActions: ['ec2:DescribeIamInstanceProfileAssociations'],
  mutating: false,
};
export const READ_PROFILE_ASSOCIATION: StepSpec = {
  kind: 'describe-profile-association',
  iamActions: ['ec2:DescribeIamInstanceProfileAssociations'],
  mutating: false,
};

// Steps.
/** CreateTags: tags given at creation need it. A name already taken is never looked up and reused: another name is drawn. */
export const CREATE_SECURITY_GROUP: StepSpec = {
  kind: 'create-security-group',
  iamActions: ['ec2:CreateSecurityGroup', 'ec2:CreateTags'],
  mutating: true,
};
export const OPEN_UNTRACK_GROUP: StepSpec = {
  kind: 'open-untrack-security-group',
  iamActions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
  mutating: true,
};
export const CLOSE_ISOLATION_GROUP: StepSpec = {
  kind: 'close-isolation-security-group',
  iamActions: ['ec2:RevokeSecurityGroupEgress'],
  mutating: true,
};
export const MOVE_NETWORK_INTERFACE: StepSpec = {
  kind: 'move-network-interface',
  iamActions: ['ec2:ModifyNetworkInterfaceAttribute'],
  mutating: true,
};
export const RECORD_ORIGINAL_GROUPS: StepSpec = { kind: 'record-original-security-groups', iamActions: ['ec2:CreateTags'], mutating: true };
export const PRESERVE_INSTANCE: StepSpec = { kind: 'preserve-instance', iamActions: ['ec2:ModifyInstanceAttribute'], mutating: true };
/** CreateTags: the profile is recorded on the instance before it is removed. */
export const DISASSOCIATE_PROFILE: StepSpec = {
  kind: 'disassociate-instance-profile',
  iamActions: ['ec2:DisassociateIamInstanceProfile', 'ec2:CreateTags'],
  mutating: true,
};
export const DETACH_FROM_AUTO_SCALING: StepSpec = {
  kind: 'detach-from-auto-scaling-group',
  iamActions: ['autoscaling:DetachInstances'],
  mutating: true,
};
export const DEREGISTER_TARGETS: StepSpec = {
  kind: 'deregister-from-target-group',
  iamActions: ['elasticloadbalancing:DeregisterTargets'],
  mutating: true,
};
/** CreateTags: the snapshots are tagged at creation. */
export const SNAPSHOT_VOLUMES: StepSpec = { kind: 'snapshot-volumes', iamActions: ['ec2:CreateSnapshots', 'ec2:CreateTags'], mutating: true };
export const TAG_INSTANCE: StepSpec = { kind: 'tag-instance', iamActions: ['ec2:CreateTags'], mutating: true };

export const CONTAIN_INSTANCE_STEP_SPECS: readonly StepSpec[] = [
  READ_INSTANCE,
  READ_RESPONDER_SECURITY_GROUPS,
  READ_AUTO_SCALING_MEMBERSHIP,
  READ_TARGET_GROUPS,
  READ_TARGET_HEALTH,
  READ_EVIDENCE_SNAPSHOTS,
  READ_INSTANCE_PROFILE,
  READ_PROFILE_SHARERS,
  READ_PROFILE_ASSOCIATION,
  CREATE_SECURITY_GROUP,
  OPEN_UNTRACK_GROUP,
  CLOSE_ISOLATION_GROUP,
  MOVE_NETWORK_INTERFACE,
  RECORD_ORIGINAL_GROUPS,
  PRESERVE_INSTANCE,
  REVOKE_ROLE_SESSIONS,
  DISASSOCIATE_PROFILE,
  DETACH_FROM_AUTO_SCALING,
  DEREGISTER_TARGETS,
  SNAPSHOT_VOLUMES,
  TAG_INSTANCE,
];
