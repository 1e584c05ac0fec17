import type { Ec2ResourceType, IamAction, IamCondition } from '../../lambda/plan/types';

/*
 * The Resource of every action a playbook role may call: THE one place that
 * narrows an action to the resources it can touch. The actions themselves
 * come from the step declarations (requiredIamActions); this module only
 * decides "on what".
 *
 * Rules, from narrowest to widest:
 *  - the stack's own resources: sns:Publish → the topic (and the chat
 *    topic, when the configuration asks for chat); the KMS actions
 *    publishing needs → the topic's key; s3:PutObject → the incidents/
 *    prefix of the evidence bucket, and kms:GenerateDataKey also → its key;
 *    sts:AssumeRole → the member role by name, in the accounts
 *    config.accounts.allow lists (else any); dynamodb:* → the incident
 *    ledger table.
 *  - actions with a single, known resource type (Service Authorization
 *    Reference): IAM users, roles and instance profiles, Auto Scaling groups
 *    and target groups, EC2 instances (ec2:GetConsoleOutput), of this
 *    account. The playbooks act on whichever
 *    resource a finding names, so the name part stays a wildcard.
 *  - guardduty:GetFindings and guardduty:ArchiveFindings → the detectors of
 *    the security account, in the stack's region: the finding is confirmed
 *    (and, after a completed containment, archived) where GuardDuty's
 *    delegated administrator holds it, never in a member account.
 *  - securityhub:BatchUpdateFindings → the security account's hub in the
 *    stack's region (its only resource type): as Security Hub's
 *    administrator it updates its member accounts' findings from there.
 *  - iam:GenerateServiceLastAccessedDetails, which authorises the user,
 *    role, group or policy it reports on: the playbooks only ask about users
 *    and roles, so those two.
 *  - Describe* of EC2, Auto Scaling and Elastic Load Balancing,
 *    sts:GetCallerIdentity, iam:GetServiceLastAccessedDetails,
 *    cloudtrail:LookupEvents and guardduty:ListDetectors: these do not support resource-level
 *    permissions; IAM only accepts "*".
 *  - an action a step declaration confines (StepSpec.iamGrants): the EC2
 *    resource types it names (ec2ResourceArn), with its condition;
 *  - anything else: "*". An action this module does not know may need
 *    several resource types per call (ec2:CreateSnapshots authorises the
 *    instance, its volumes and snapshot ARNs that carry no account id), and a
 *    wrong guess would surface as AccessDenied in the middle of an incident,
 *    with the instance half isolated. Wildcarding it is visible instead: it
 *    shows up as a cdk-nag IAM5 finding that lib/nag-suppressions.ts must
 *    acknowledge with this reason, and a new rule here narrows it.
 */

export interface ScopeReferences {
  readonly partition: string;
  readonly account: string;
  /** The stack's region (a token for an environment-agnostic stack): where its playbooks ask GuardDuty about findings. */
  readonly region?: string;
  /** The security account's notification topic and its key. A member stack has neither: nothing is published there. */
  readonly topicArn?: string;
  readonly topicKeyArn?: string;
  /** The chat topic AWS Chatbot subscribes to (config `chat`), encrypted with the same key. Absent: no chat delivery. */
  readonly chatTopicArn?: string;
  /** The incident ledger table (lambda/ledger/). A member stack has none. */
  readonly ledgerTableArn?: string;
  /** The blast-radius brake's table when every regional stack shares one (blastRadius.homeRegion); absent: the ledger table. */
  readonly brakeTableArn?: string;
  /** The role the playbooks assume in member accounts, and the accounts config.accounts.allow narrows that to (absent: any account). */
  readonly memberRole?: { readonly name: string; readonly accounts?: readonly string[] };
  /** The evidence bucket's incidents/* objects and its key (security stack only: evidence is written from the security account). */
  readonly evidenceObjectsArn?: string;
  readonly evidenceKeyArn?: string;
  /**
   * The wait for a decision (lambda/respond/wait.ts): the stack's schedule group (the playbook role creates and deletes
   * one-time schedules in it only), the role Scheduler invokes the playbook function with (the only role it may pass),
   * and the escalation topic. Absent: no response of the stack waits.
   */
  readonly approval?: {
    readonly scheduleGroupName: string;
    readonly schedulerRoleArn: string;
    readonly escalationTopicArn?: string;
    /** The approval links' KMS HMAC key (kms:GenerateMac) and the link function (lambda:GetFunctionUrlConfig), when the stack has them. */
    readonly linkKeyArn?: string;
    readonly linkFunctionArn?: string;
  };
}

export type ScopeKind =
  | 'notification-topic'
  | 'notification-key'
  | 'incident-ledger'
  | 'blast-radius-brake'
  | 'notification-and-evidence-keys'
  | 'evidence-objects'
  | 'ec2-instance'
  | 'guardduty-detector'
  | 'security-hub'
  | 'member-role'
  | 'iam-user'
  | 'iam-role'
  | 'iam-instance-profile'
  | 'iam-user-or-role'
  | 'auto-scaling-group'
  | 'target-group'
  | 's3-bucket'
  | 's3-object'
  | 'no-resource-level-permissions'
  | 'ec2-resource-types'
  | 'resource-known-only-at-run-time'
  | 'approval-schedules'
  | 'approval-scheduler-role'
  | 'approval-link-key'
  | 'approval-link-function'
  | 'lambda-function'
  | 'ecs-task'
  | 'ecs-container-instance'
  | 'ecs-task-definition'
  | 'rds-resources'
  | 'backup-recovery-point';

export interface ActionScope {
  readonly kind: ScopeKind;
  readonly resources: readonly string[];
  /** A condition every grant of the action carries besides its own (ECS: the cluster must be one of this account's). */
  readonly condition?: IamCondition;
}

type IamResourceType = 'user' | 'role' | 'instance-profile';

/** IAM actions by the resource type they authorise (Service Authorization Reference, "Actions defined by IAM"). */
const IAM_ACTION_RESOURCE_TYPE: Readonly<Record<string, IamResourceType>> = {
  'iam:GetUser': 'user',
  'iam:ListUserTags': 'user',
  'iam:ListUserPolicies': 'user',
  'iam:ListAttachedUserPolicies': 'user',
  'iam:ListGroupsForUser': 'user',
  'iam:GetUserPolicy': 'user',
  'iam:PutUserPolicy': 'user',
  'iam:DeleteUserPolicy': 'user',
  'iam:ListAccessKeys': 'user',
  'iam:UpdateAccessKey': 'user',
  'iam:GetAccessKeyLastUsed': 'user',
  'iam:GetLoginProfile': 'user',
  'iam:DeleteLoginProfile': 'user',
  'iam:UpdateLoginProfile': 'user',
  'iam:ListMFADevices': 'user',
  'iam:ListSSHPublicKeys': 'user',
  'iam:UpdateSSHPublicKey': 'user',
  'iam:ListServiceSpecificCredentials': 'user',
  'iam:UpdateServiceSpecificCredential': 'user',
  'iam:ListSigningCertificates': 'user',
  'iam:UpdateSigningCertificate': 'user',
  'iam:TagUser': 'user',
  'iam:GetRole': 'role',
  'iam:ListRoleTags': 'role',
  'iam:ListRolePolicies': 'role',
  'iam:ListAttachedRolePolicies': 'role',
  'iam:GetRolePolicy': 'role',
  'iam:PutRolePolicy': 'role',
  'iam:DeleteRolePolicy': 'role',
  'iam:ListInstanceProfilesForRole': 'role',
  'iam:TagRole': 'role',
  'iam:GetInstanceProfile': 'instance-profile',
  'iam:ListInstanceProfileTags': 'instance-profile',
  'iam:RemoveRoleFromInstanceProfile': 'instance-profile',
};

/** IAM actions that authorise a user or a role, whichever the call names (they also accept groups and policies, never asked about). */
const IAM_USER_OR_ROLE_ACTIONS: readonly string[] = ['iam:GenerateServiceLastAccessedDetails'];

const IAM_SCOPE_KIND: Readonly<Record<IamResourceType, ScopeKind>> = {
  user: 'iam-user',
  role: 'iam-role',
  'instance-profile': 'iam-instance-profile',
};

/** Services whose Describe* calls only accept Resource "*". */
const DESCRIBE_WITHOUT_RESOURCE_LEVEL = ['ec2', 'autoscaling', 'elasticloadbalancing'];
const OTHER_WITHOUT_RESOURCE_LEVEL: readonly string[] = ['ecs:DescribeTaskDefinition', 'sts:GetCallerIdentity', 'iam:ListAccountAliases', 'iam:GetServiceLastAccessedDetails', 'cloudtrail:LookupEvents', 'guardduty:ListDetectors'];

/** GuardDuty actions whose only resource type is a detector (Service Authorization Reference, "Actions defined by Amazon GuardDuty"). */
const DETECTOR_ACTIONS: readonly string[] = ['guardduty:GetFindings', 'guardduty:ArchiveFindings'];

/** Security Hub actions whose only resource type is the account's hub (Service Authorization Reference, "Actions defined by AWS Security Hub"). */
const HUB_ACTIONS: readonly string[] = ['securityhub:BatchUpdateFindings'];

/** Non-IAM actions whose only resource type is one of the account's groups (the region is the finding's). */
const GROUP_ACTIONS: Readonly<Record<string, { kind: ScopeKind; arn: (refs: ScopeReferences) => string }>> = {
  'autoscaling:DetachInstances': {
    kind: 'auto-scaling-group',
    arn: (refs) => `arn:${refs.partition}:autoscaling:*:${refs.account}:autoScalingGroup:*:autoScalingGroupName/*`,
  },
  'elasticloadbalancing:DeregisterTargets': {
    kind: 'target-group',
    arn: (refs) => `arn:${refs.partition}:elasticloadbalancing:*:${refs.account}:targetgroup/*/*`,
  },
};

/**
 * S3 actions of the S3 playbooks, by the resource type they authorise (Service Authorization Reference,
 * "Actions defined by Amazon S3"): the bucket, or an object of it. S3 ARNs carry no account: the steps
 * confine each grant to the role's own account (lambda/playbooks/s3/own-account.ts).
 */
const S3_BUCKET_ACTIONS: readonly string[] = ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketPolicyStatus', 's3:GetBucketAcl', 's3:GetBucketPolicy', 's3:GetBucketVersioning'];
const S3_OBJECT_ACTIONS: readonly string[] = [
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:GetObject',
  's3:GetObjectVersion',
  's3:DeleteObjectVersion',
];

/** Objects of any bucket (each grant confined to the role's own account by its condition): also s3:PutObject when a grant says so (IamGrant.s3Objects). */
export function s3ObjectScope(refs: Pick<ScopeReferences, 'partition'>): ActionScope {
  return { kind: 's3-object', resources: [`arn:${refs.partition}:s3:::*/*`] };
}

/**
 * RDS actions by the resource types they authorise (Service Authorization Reference, "Actions defined by Amazon RDS"):
 * the account's, in any region (the finding's). The names stay wildcards: the database is whichever one a finding
 * names, and the snapshot's name is the incident's.
 */
const RDS_ACTION_RESOURCE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'rds:DescribeDBInstances': ['db'],
  'rds:DescribeDBClusters': ['cluster'],
  'rds:DescribeDBSubnetGroups': ['subgrp'],
  'rds:CreateDBSnapshot': ['db', 'snapshot'],
  'rds:DescribeDBSnapshots': ['db', 'snapshot'],
  'rds:CreateDBClusterSnapshot': ['cluster', 'cluster-snapshot'],
  'rds:DescribeDBClusterSnapshots': ['cluster', 'cluster-snapshot'],
  'rds:AddTagsToResource': ['snapshot', 'cluster-snapshot'],
  'rds:ModifyDBInstance': ['db'],
  'rds:ModifyDBCluster': ['cluster'],
};

/** Decrypt only serves publishing (SNS decrypts with the caller's grant); GenerateDataKey serves publishing and every evidence PutObject. */
const TOPIC_KEY_ACTIONS: readonly string[] = ['kms:Decrypt'];

/** The one-time schedules of a response that waits for a decision: only ever in the stack's own schedule group. */
const SCHEDULE_ACTIONS: readonly string[] = ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'];

/** Lambda actions on the function a finding names (contain-function, and `ir release --function`): functions of this account, in the finding's region. */
const FUNCTION_ACTIONS: readonly string[] = [
  'lambda:GetFunctionConfiguration',
  'lambda:GetFunctionConcurrency',
  'lambda:ListProvisionedConcurrencyConfigs',
  'lambda:ListTags',
  'lambda:PutFunctionConcurrency',
  'lambda:DeleteFunctionConcurrency',
];

/**
 * ECS actions by the resource type they authorise (Service Authorization
 * Reference, "Actions defined by Amazon Elastic Container Service"). Those
 * on tasks and container instances also take the ecs:cluster key: the
 * cluster must be one of this account's (the cluster a finding names is
 * known only at run time; contain-task checks it is the finding's own).
 * DescribeTaskDefinition supports no resource-level permissions.
 */
const ECS_ACTION_RESOURCE: Readonly<Record<string, { kind: ScopeKind; resource: string; clusterCondition: boolean }>> = {
  'ecs:DescribeTasks': { kind: 'ecs-task', resource: 'task/*', clusterCondition: true },
  'ecs:StopTask': { kind: 'ecs-task', resource: 'task/*', clusterCondition: true },
  'ecs:DescribeContainerInstances': { kind: 'ecs-container-instance', resource: 'container-instance/*', clusterCondition: true },
  'ecs:TagResource': { kind: 'ecs-task-definition', resource: 'task-definition/*', clusterCondition: false },
};

/** EC2 actions whose only resource type is an instance of the account (the region is the finding's). */
const INSTANCE_ACTIONS: readonly string[] = ['ec2:GetConsoleOutput'];

function hasNoResourceLevelPermissions(action: IamAction): boolean {
  const [service, name] = action.split(':') as [string, string];
  return (DESCRIBE_WITHOUT_RESOURCE_LEVEL.includes(service) && name.startsWith('Describe')) || OTHER_WITHOUT_RESOURCE_LEVEL.includes(action);
}

function referenced(value: string | undefined, action: IamAction, what: string): string {
  if (value === undefined) throw new Error(`${action} is scoped to ${what}, which this stack does not have`);
  return value;
}

/** The member role by name, in the allowed accounts or, with no allow list, in any account (the guard then decides per finding). */
function memberRoleScope(refs: ScopeReferences, action: IamAction): ActionScope {
  const role = refs.memberRole;
  if (!role) throw new Error(`${action} is scoped to the member role, which this stack does not name`);
  const accounts = role.accounts ?? ['*'];
  return { kind: 'member-role', resources: accounts.map((account) => `arn:${refs.partition}:iam::${account}:role/${role.name}`) };
}

/** A brake grant (IamGrant.brakeTable): the shared brake table, or the ledger's own when there is none to share. */
export function scopeOfBrakeAction(action: IamAction, refs: ScopeReferences): ActionScope {
  if (!action.startsWith('dynamodb:')) throw new Error(`${action} is granted on the brake table, which only DynamoDB actions can be`);
  if (refs.brakeTableArn) return { kind: 'blast-radius-brake', resources: [refs.brakeTableArn] };
  return scopeOfAction(action, refs);
}

export function scopeOfAction(action: IamAction, refs: ScopeReferences): ActionScope {
  if (action === 'sns:Publish') {
    return {
      kind: 'notification-topic',
      resources: [
        referenced(refs.topicArn, action, 'the notification topic'),
        ...(refs.chatTopicArn ? [refs.chatTopicArn] : []),
        ...(refs.approval?.escalationTopicArn ? [refs.approval.escalationTopicArn] : []),
      ],
    };
  }
  if (SCHEDULE_ACTIONS.includes(action)) {
    const group = referenced(refs.approval?.scheduleGroupName, action, "the stack's schedule group");
    return { kind: 'approval-schedules', resources: [`arn:${refs.partition}:scheduler:${refs.region ?? '*'}:${refs.account}:schedule/${group}/*`] };
  }
  if (action === 'iam:PassRole') return { kind: 'approval-scheduler-role', resources: [referenced(refs.approval?.schedulerRoleArn, action, 'the approval scheduler role')] };
  if (action === 'kms:GenerateMac') return { kind: 'approval-link-key', resources: [referenced(refs.approval?.linkKeyArn, action, "the approval links' key")] };
  if (action === 'lambda:GetFunctionUrlConfig') return { kind: 'approval-link-function', resources: [referenced(refs.approval?.linkFunctionArn, action, 'the approval link function')] };
  if (TOPIC_KEY_ACTIONS.includes(action)) return { kind: 'notification-key', resources: [referenced(refs.topicKeyArn, action, "the notification topic's key")] };
  if (action === 'kms:GenerateDataKey') {
    return {
      kind: 'notification-and-evidence-keys',
      resources: [referenced(refs.topicKeyArn, action, "the notification topic's key"), referenced(refs.evidenceKeyArn, action, "the evidence bucket's key")],
    };
  }
  if (action === 's3:PutObject') return { kind: 'evidence-objects', resources: [referenced(refs.evidenceObjectsArn, action, 'the evidence bucket')] };
  if (S3_BUCKET_ACTIONS.includes(action)) return { kind: 's3-bucket', resources: [`arn:${refs.partition}:s3:::*`] };
  if (S3_OBJECT_ACTIONS.includes(action)) return { kind: 's3-object', resources: [`arn:${refs.partition}:s3:::*/*`] };
  if (FUNCTION_ACTIONS.includes(action)) return { kind: 'lambda-function', resources: [`arn:${refs.partition}:lambda:*:${refs.account}:function:*`] };
  if (INSTANCE_ACTIONS.includes(action)) return { kind: 'ec2-instance', resources: [`arn:${refs.partition}:ec2:*:${refs.account}:instance/*`] };
  if (action === 'sts:AssumeRole') return memberRoleScope(refs, action);
  if (DETECTOR_ACTIONS.includes(action)) {
    return { kind: 'guardduty-detector', resources: [`arn:${refs.partition}:guardduty:${refs.region ?? '*'}:${refs.account}:detector/*`] };
  }
  if (HUB_ACTIONS.includes(action)) {
    return { kind: 'security-hub', resources: [`arn:${refs.partition}:securityhub:${refs.region ?? '*'}:${refs.account}:hub/default`] };
  }
  if (action.startsWith('dynamodb:')) return { kind: 'incident-ledger', resources: [referenced(refs.ledgerTableArn, action, 'the incident ledger table')] };
  const iamType = IAM_ACTION_RESOURCE_TYPE[action];
  if (iamType) {
    return { kind: IAM_SCOPE_KIND[iamType], resources: [`arn:${refs.partition}:iam::${refs.account}:${iamType}/*`] };
  }
  if (IAM_USER_OR_ROLE_ACTIONS.includes(action)) {
    return { kind: 'iam-user-or-role', resources: (['user', 'role'] as const).map((type) => `arn:${refs.partition}:iam::${refs.account}:${type}/*`) };
  }
  if (action === 'backup:TagResource' || action === 'backup:DescribeRecoveryPoint') return { kind: 'backup-recovery-point', resources: [`arn:${refs.partition}:backup:*:${refs.account}:recovery-point:*`] };
  const rdsTypes = RDS_ACTION_RESOURCE_TYPES[action];
  if (rdsTypes) return { kind: 'rds-resources', resources: rdsTypes.map((type) => `arn:${refs.partition}:rds:*:${refs.account}:${type}:*`) };
  const group = GROUP_ACTIONS[action];
  if (group) return { kind: group.kind, resources: [group.arn(refs)] };
  const ecs = ECS_ACTION_RESOURCE[action];
  if (ecs) {
    return {
      kind: ecs.kind,
      resources: [`arn:${refs.partition}:ecs:*:${refs.account}:${ecs.resource}`],
      ...(ecs.clusterCondition ? { condition: { ArnLike: { 'ecs:cluster': `arn:${refs.partition}:ecs:*:${refs.account}:cluster/*` } } } : {}),
    };
  }
  if (hasNoResourceLevelPermissions(action)) return { kind: 'no-resource-level-permissions', resources: ['*'] };
  return { kind: 'resource-known-only-at-run-time', resources: ['*'] };
}

/**
 * The ARN pattern of an EC2 resource type a step declaration confines a grant
 * to (IamGrant.ec2ResourceTypes): of this account, in any region (the
 * finding's). Snapshot ARNs carry no account id.
 */
export function ec2ResourceArn(type: Ec2ResourceType, refs: Pick<ScopeReferences, 'partition' | 'account'>): string {
  // Snapshot and (public) image ARNs carry no account id.
  const account = type === 'snapshot' || type === 'image' ? '' : refs.account;
  return `arn:${refs.partition}:ec2:*:${account}:${type}/*`;
}

/** Why a wildcard resource of each kind is acceptable: the text a reviewer reads in the cdk-nag acknowledgement. */
export const WILDCARD_REASONS: Readonly<Partial<Record<ScopeKind, string>>> = {
  'member-role':
    'assumes the member role (this exact role name) in whichever member account a GuardDuty finding names, known only at run time; ' +
    'config.accounts.allow narrows it to listed accounts, and the member role itself trusts only these playbook roles by ARN',
  'iam-user':
    'revokes the credentials of whichever IAM user a GuardDuty finding names, so the user name is known only at run time; ' +
    'scoped to users of this account',
  'iam-role':
    'revokes the sessions of whichever IAM role a GuardDuty finding names, so the role name is known only at run time; ' +
    'scoped to roles of this account (the responder refuses its own roles and service-linked roles)',
  'iam-user-or-role':
    "reads IAM's service-last-accessed report of whichever IAM user or role a GuardDuty finding names, known only at run time; " +
    'scoped to users and roles of this account',
  'iam-instance-profile':
    'reads the instance profile of whichever instance a finding names, known only at run time; scoped to instance profiles of this account',
  'auto-scaling-group':
    'detaches the instance a finding names from whichever Auto Scaling group holds it, known only at run time; ' +
    'scoped to Auto Scaling groups of this account',
  'target-group':
    'deregisters the instance a finding names from whichever target groups hold it, known only at run time; scoped to target groups of this account',
  's3-bucket':
    'reads and sets the public access block of whichever bucket a GuardDuty finding names, known only at run time; ' +
    "S3 ARNs carry no account, so each statement is conditioned on aws:ResourceAccount being the role's own account, and every call names ExpectedBucketOwner",
  's3-object':
    'reads and tags the one object version a GuardDuty malware finding names, known only at run time, or (copy mode) copies it to the ' +
    'quarantine bucket of the same account and removes that version; ' +
    "S3 ARNs carry no account, so each statement is conditioned on aws:ResourceAccount being the role's own account, and every call names ExpectedBucketOwner",
  'evidence-objects':
    "writes each incident's evidence under the incidents/ prefix of this stack's evidence bucket, one key per incident " +
    'known only at run time; the bucket is versioned and every object is locked (Object Lock), so a write never destroys a record',
  'guardduty-detector':
    "reads the finding to confirm (and archives it after a completed containment, when configured) from this account's GuardDuty " +
    "detector in this region (GuardDuty's delegated administrator), whose id is looked up at run time with ListDetectors and changes " +
    'when GuardDuty is enabled again; scoped to detectors of this account and region',
  'security-hub':
    "updates the finding's Security Hub counterpart (a note and its workflow status) through this account's hub, which is the " +
    'administrator of its member accounts; the region is a wildcard only for a stack deployed without one',
  'ecs-task':
    'reads and stops whichever ECS task a GuardDuty finding names, known only at run time; scoped to tasks of this account in clusters of ' +
    "this account (ecs:cluster), and the playbook acts only on the task and cluster the finding names, held to the finding's account and region",
  'ecs-container-instance':
    'reads the container instance under the ECS task a finding names, known only at run time; scoped to container instances of this account in clusters of this account (ecs:cluster)',
  'ecs-task-definition':
    "tags the task definition revision of the ECS task a finding names as suspect, known only at run time; scoped to this account's task definitions and to the responder's own tag keys (aws:TagKeys)",
  'ec2-instance':
    'reads the console output of whichever instance a GuardDuty finding names, known only at run time; scoped to instances of this account',
  'ec2-resource-types':
    'the playbook acts on the instance a GuardDuty finding names, its volumes, interfaces and security groups, known only at run ' +
    "time; each write is confined by the step declaration's IAM conditions (tag keys, the responder's managed-by tag, the attributes " +
    'it sets) and denied on resources carrying the exempt tag',
  'lambda-function':
    'reads, throttles (reserved concurrency 0) and restores whichever Lambda function a GuardDuty finding names, known only at run time; ' +
    "scoped to functions of this account (the playbook first verifies the function exists in the finding's account and region)",
  'backup-recovery-point':
    "reads and tags whichever recovery point a malware finding names as infected, known only at run time; scoped to this account's recovery points, the tag keys confined to the incident's",
  'rds-resources':
    'snapshots and restricts whichever DB instance or cluster a GuardDuty finding names (verified with a Describe first), known only at ' +
    "run time; scoped to RDS resources of this account by type, the snapshots' tags confined to the incident's keys",
  'no-resource-level-permissions': 'these actions do not support resource-level permissions, so IAM only accepts Resource "*"',
  'approval-schedules':
    "creates and deletes the one-time schedules (escalation, deadline) of a response waiting for a decision, one pair per incident " +
    "named at run time; confined to the stack's own schedule group",
  'resource-known-only-at-run-time':
    'the playbook acts on the resource a GuardDuty finding names (known only at run time) and these actions authorise several ' +
    'resource types per call; containment is bounded by the guards (dry-run default, exempt tag, severity floor), not by ARNs',
};
