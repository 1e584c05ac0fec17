import { createdWithTags, onlyAttributes, onlyTagKeys, resourceTagged, tagsAtCreation } from '../../iam/ec2-conditions';
import { REVOKE_ROLE_SESSIONS } from '../../iam/revoke-sessions';
import type { IamGrant, StepSpec } from '../../plan/types';
import {
  FINDING_ID_TAG,
  FINDING_TYPE_TAG,
  INCIDENT_ID_TAG,
  ISOLATED_AT_TAG,
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  ORIGINAL_INSTANCE_PROFILE_TAG,
  originalSgsTagKey,
  PURPOSE_TAG,
  SECURITY_GROUP_PURPOSES,
  SEVERITY_TAG,
  SOURCE_INSTANCE_TAG,
} from './names';

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
/** Termination protection before the response turns it on: the restore record keeps it. */
export const READ_TERMINATION_PROTECTION: StepSpec = {
  kind: 'describe-termination-protection',
  iamActions: ['ec2:DescribeInstanceAttribute'],
  mutating: false,
};

// Steps. Each EC2 write carries the IAM conditions that confine it to what the step does (lambda/iam/ec2-conditions.ts).

/** The tag keys each kind of resource gets from this playbook: IAM lets the role write no other key. */
export const SECURITY_GROUP_TAG_KEYS: readonly string[] = ['Name', MANAGED_BY_TAG, PURPOSE_TAG];
export const SNAPSHOT_TAG_KEYS: readonly string[] = [FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, SOURCE_INSTANCE_TAG];
export const INCIDENT_TAG_KEYS: readonly string[] = [INCIDENT_ID_TAG, FINDING_ID_TAG, FINDING_TYPE_TAG, SEVERITY_TAG, ISOLATED_AT_TAG];
/** `ir:original-sgs:<eni-id>`, one per network interface. */
export const ORIGINAL_SGS_TAG_PATTERN = originalSgsTagKey('*');

/** Tags written on an existing instance: only on instances, only these keys (never the managed-by or purpose keys rule changes rely on). */
function instanceTags(keys: readonly string[]): IamGrant {
  return { action: 'ec2:CreateTags', ec2ResourceTypes: ['instance'], condition: onlyTagKeys(keys) };
}

/**
 * CreateTags: tags given at creation need it, and only at creation
 * (ec2:CreateAction). The group must be created with the managed-by tag, so
 * a group that carries it was created by the responder: the rule changes
 * below are confined to such groups. The VPC is the other resource
 * CreateSecurityGroup authorises; it has no key that would confine it further.
 * A name already taken is reused only when this run's own request took it
 * (a retry after a lost answer, read back with DescribeSecurityGroups:
 * steps/own-created-group.ts); otherwise another name is drawn.
 */
export const CREATE_SECURITY_GROUP: StepSpec = {
  kind: 'create-security-group',
  iamActions: ['ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DescribeSecurityGroups'],
  mutating: true,
  // Part of the isolation: the groups exist only for it, and wait with it.
  changeClass: 'isolate',
  iamGrants: [
    {
      action: 'ec2:CreateSecurityGroup',
      ec2ResourceTypes: ['security-group'],
      condition: createdWithTags({ [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [PURPOSE_TAG]: SECURITY_GROUP_PURPOSES }, SECURITY_GROUP_TAG_KEYS),
    },
    { action: 'ec2:CreateSecurityGroup', ec2ResourceTypes: ['vpc'] },
    { action: 'ec2:CreateTags', ec2ResourceTypes: ['security-group'], condition: tagsAtCreation('CreateSecurityGroup', SECURITY_GROUP_TAG_KEYS) },
  ],
};
const ONLY_RESPONDER_GROUPS = resourceTagged(MANAGED_BY_TAG, MANAGED_BY_VALUE);
export const OPEN_UNTRACK_GROUP: StepSpec = {
  kind: 'open-untrack-security-group',
  iamActions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
  mutating: true,
  changeClass: 'isolate',
  iamGrants: [
    { action: 'ec2:AuthorizeSecurityGroupIngress', ec2ResourceTypes: ['security-group'], condition: ONLY_RESPONDER_GROUPS },
    { action: 'ec2:AuthorizeSecurityGroupEgress', ec2ResourceTypes: ['security-group'], condition: ONLY_RESPONDER_GROUPS },
  ],
};
export const CLOSE_ISOLATION_GROUP: StepSpec = {
  kind: 'close-isolation-security-group',
  iamActions: ['ec2:RevokeSecurityGroupEgress'],
  mutating: true,
  changeClass: 'isolate',
  iamGrants: [{ action: 'ec2:RevokeSecurityGroupEgress', ec2ResourceTypes: ['security-group'], condition: ONLY_RESPONDER_GROUPS }],
};
/**
 * Only the security groups of the interface (groupSet; the request member is
 * Groups). Any group: an interface may go back to its original groups. The
 * instance and the groups are the call's other resource types.
 * DescribeNetworkInterfaces: after an untrack move that was given up, the ENI's
 * groups are read back (steps/isolate.ts), since EC2 may apply it late.
 */
export const MOVE_NETWORK_INTERFACE: StepSpec = {
  kind: 'move-network-interface',
  iamActions: ['ec2:ModifyNetworkInterfaceAttribute', 'ec2:DescribeNetworkInterfaces'],
  mutating: true,
  changeClass: 'isolate',
  iamGrants: [
    {
      action: 'ec2:ModifyNetworkInterfaceAttribute',
      ec2ResourceTypes: ['network-interface', 'instance', 'security-group'],
      condition: onlyAttributes(['groupSet', 'Groups']),
    },
  ],
};
/**
 * The early move (lambda/playbooks/contain-instance/early/): the instance's one network interface moved by the
 * instance's id, before anything is read. Only its security groups: EC2 refuses it when the instance has several
 * network interfaces, so no interface is ever moved by an id the finding gave.
 */
export const MOVE_INSTANCE_GROUPS: StepSpec = {
  kind: 'move-instance-groups',
  iamActions: ['ec2:ModifyInstanceAttribute'],
  mutating: true,
  changeClass: 'isolate',
  iamGrants: [
    {
      action: 'ec2:ModifyInstanceAttribute',
      ec2ResourceTypes: ['instance', 'security-group'],
      condition: onlyAttributes(['groupSet', 'Groups']),
    },
  ],
};
export const RECORD_ORIGINAL_GROUPS: StepSpec = {
  kind: 'record-original-security-groups',
  iamActions: ['ec2:CreateTags'],
  mutating: true,
  // A tag on the instance, written only for the isolation that follows: it waits with it.
  changeClass: 'isolate',
  iamGrants: [instanceTags([ORIGINAL_SGS_TAG_PATTERN])],
};
/**
 * Only the three attributes preservation sets, and only to the values it
 * sets them to (termination protection on, shutdown stops). The volumes are
 * the call's other resource type (DeleteOnTermination of a mapping).
 */
export const PRESERVE_INSTANCE: StepSpec = {
  kind: 'preserve-instance',
  iamActions: ['ec2:ModifyInstanceAttribute'],
  mutating: true,
  // Keeps the evidence, takes nothing away from the instance's work: never waits (docs/configuration.md, approval).
  neverWaits: 'evidence',
  iamGrants: [
    {
      action: 'ec2:ModifyInstanceAttribute',
      ec2ResourceTypes: ['instance', 'volume'],
      condition: onlyAttributes(['disableApiTermination', 'instanceInitiatedShutdownBehavior', 'blockDeviceMapping'], {
        disableApiTermination: 'true',
        instanceInitiatedShutdownBehavior: 'stop',
      }),
    },
  ],
};
/** CreateTags: the profile is recorded on the instance before it is removed. */
export const DISASSOCIATE_PROFILE: StepSpec = {
  kind: 'disassociate-instance-profile',
  // DescribeIamInstanceProfileAssociations: a retry refused as NotFound is checked against the instance's associations (steps/already-done.ts).
  iamActions: ['ec2:DisassociateIamInstanceProfile', 'ec2:CreateTags', 'ec2:DescribeIamInstanceProfileAssociations'],
  mutating: true,
  changeClass: 'remove-instance-profile',
  iamGrants: [
    // No key confines it further than the instance: the association id is known only at run time.
    { action: 'ec2:DisassociateIamInstanceProfile', ec2ResourceTypes: ['instance'] },
    instanceTags([ORIGINAL_INSTANCE_PROFILE_TAG]),
  ],
};
export const DETACH_FROM_AUTO_SCALING: StepSpec = {
  kind: 'detach-from-auto-scaling-group',
  iamActions: ['autoscaling:DetachInstances'],
  mutating: true,
  changeClass: 'detach-auto-scaling',
};
export const DEREGISTER_TARGETS: StepSpec = {
  kind: 'deregister-from-target-group',
  // DescribeTargetHealth: a retry refused as InvalidTarget is checked against the group's targets (steps/already-done.ts).
  iamActions: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:DescribeTargetHealth'],
  mutating: true,
  changeClass: 'detach-load-balancer',
};
/**
 * CreateTags: the snapshots are tagged at creation, and only then. CreateSnapshots authorises the instance, its volumes and the snapshots.
 * DescribeSnapshots: a CreateSnapshots whose answer was lost is looked for by the incident's tags before it is sent again.
 */
export const SNAPSHOT_VOLUMES: StepSpec = {
  kind: 'snapshot-volumes',
  iamActions: ['ec2:CreateSnapshots', 'ec2:CreateTags', 'ec2:DescribeSnapshots'],
  mutating: true,
  neverWaits: 'evidence',
  iamGrants: [
    { action: 'ec2:CreateSnapshots', ec2ResourceTypes: ['instance', 'volume', 'snapshot'], condition: onlyTagKeys(SNAPSHOT_TAG_KEYS) },
    { action: 'ec2:CreateTags', ec2ResourceTypes: ['snapshot'], condition: tagsAtCreation('CreateSnapshots', SNAPSHOT_TAG_KEYS) },
  ],
};
/** The incident's tags say the instance is isolated, and since when: they wait with the isolation, or would say what is not so. */
export const TAG_INSTANCE: StepSpec = { kind: 'tag-instance', iamActions: ['ec2:CreateTags'], mutating: true, changeClass: 'isolate', iamGrants: [instanceTags(INCIDENT_TAG_KEYS)] };

/**
 * The restore record (lambda/ledger/restore-record.ts), written to the ledger
 * in the security account before the first change it makes undoable. Mutating
 * in the plan's sense: written only when the response is about to change
 * something (a dry-run or a guard blocks it with the changes), since a record
 * of a containment that never happened would be one `ir release` could act on.
 * Not in CONTAIN_INSTANCE_STEP_SPECS (the finding account's calls, which the
 * member role gets): the playbook role alone holds it (registry.ts).
 */
export const RECORD_RESTORE_STATE: StepSpec = { kind: 'record-restore-state', iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], mutating: true, neverWaits: 'bookkeeping' };
/**
 * The restore record read back in discovery: the instance profile an earlier
 * response removed, so that a retry still revokes its role's sessions when
 * the earlier revocation failed (discovery/read-removed-profile.ts).
 */
export const READ_RESTORE_RECORD: StepSpec = { kind: 'read-restore-record', iamActions: ['dynamodb:GetItem'], mutating: false };
export const CONTAIN_INSTANCE_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_RESTORE_STATE, READ_RESTORE_RECORD];

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
  READ_TERMINATION_PROTECTION,
  CREATE_SECURITY_GROUP,
  OPEN_UNTRACK_GROUP,
  CLOSE_ISOLATION_GROUP,
  MOVE_NETWORK_INTERFACE,
  MOVE_INSTANCE_GROUPS,
  RECORD_ORIGINAL_GROUPS,
  PRESERVE_INSTANCE,
  REVOKE_ROLE_SESSIONS,
  DISASSOCIATE_PROFILE,
  DETACH_FROM_AUTO_SCALING,
  DEREGISTER_TARGETS,
  SNAPSHOT_VOLUMES,
  TAG_INSTANCE,
];
