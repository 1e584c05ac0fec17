import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { APPROVAL_SCHEDULER_ROLE_PART, roleNamePrefix } from '../../lambda/iam/responder-role-names';
import type { IamAction, StepSpec } from '../../lambda/plan/types';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { grantsOf } from './scoped-statements';
import { ec2ResourceArn, type ScopeReferences } from './action-resources';

/*
 * The explicit Deny statements every responder role carries (each playbook
 * role, the member role): the principal guardrails in a managed policy of
 * the stack, the exemption guardrail inline. An explicit Deny wins over any Allow, so they hold
 * whatever a step declaration allows today or tomorrow:
 *  - no IAM write on the responder's own roles (every playbook role of every
 *    region, in the security account where they live; the member role in any
 *    account) nor on the protected principals
 *    of the configuration: the inline-policy writes that revoke sessions
 *    (iam:PutRolePolicy, iam:PutUserPolicy) reach the principals a finding
 *    names, never the responder itself or a break-glass role;
 *  - no write to any group's or managed policy's permissions: the responder
 *    never needs one;
 *  - no EC2 write on an instance, volume or network interface carrying the
 *    exempt tag, so the exemption holds even if the code is wrong.
 */

/**
 * Every IAM write that could change what a role or user may do, who may
 * assume it, or its credentials, and every write to a group's or managed
 * policy's permissions: by verb, so an action IAM adds later under the same
 * verb is denied too. On the responder's roles and the protected principals
 * nothing of this is ever needed; revoking a finding's principal
 * (iam:PutRolePolicy, iam:UpdateAccessKey...) is allowed elsewhere, on
 * the other principals of the account.
 */
export const IAM_WRITE_VERBS: readonly IamAction[] = [
  'iam:Put*',
  'iam:Delete*',
  'iam:Attach*',
  'iam:Detach*',
  'iam:Update*',
  'iam:Create*',
  'iam:Set*',
  'iam:Tag*',
  'iam:Untag*',
  'iam:Add*',
  'iam:Remove*',
  'iam:Deactivate*',
  'iam:Enable*',
  'iam:Reset*',
  'iam:Resync*',
  'iam:Upload*',
  'iam:PassRole',
];

export interface GuardrailProps {
  readonly refs: Pick<ScopeReferences, 'partition' | 'account'>;
  /**
   * The responder's own roles (every playbook role of every region, and the scheduler roles when `scheduler`): the
   * account they are made in (the security account) and the deployment's name their names start with
   * (lib/naming.ts responderRoleName, approvalSchedulerRoleName).
   */
  readonly responderRoles: {
    readonly account: string;
    readonly namePrefix: string;
    /**
     * The deployment has approval scheduler roles (config `approval`): a playbook role may pass them to Scheduler, so
     * every IAM write on them is denied but iam:PassRole, which the wait's own grant confines to EventBridge Scheduler.
     * Otherwise a role that may pass one could first widen what it allows.
     */
    readonly scheduler: boolean;
  };
  /** The member role's name: denied in every account. */
  readonly memberRoleName: string;
  /** config.credentials.protectedPrincipals: role and user ARNs, `*` allowed. */
  readonly protectedPrincipals: readonly string[];
  /** config.exemptTagKey. */
  readonly exemptTagKey: string;
  /** The role's step declarations: their mutating EC2 actions get the exempt-tag Deny. */
  readonly specs: readonly StepSpec[];
}

// A role name in any account, under any path: the pattern `role` + `*` + `/<name>` matches
// `role/<name>` and `role/<path>/<name>`, never another name (role names are unique in an
// account whatever the path).
function roleArn(partition: string, name: string): string {
  return `arn:${partition}:iam::*:role*/${name}`;
}

/**
 * The responder's roles of one family (a playbook's, or the scheduler's), in every region at once:
 * `arn:<partition>:iam::<security account>:role/<prefix>-<playbook>-*`.
 *
 * One name per role and region no longer fits IAM's 6,144 characters of a managed policy with every
 * region configured (11 playbooks x 18 regions); a wildcard over the region does, and matches exactly
 * the same roles that exist:
 *  - pinned to the security account, where the stack creates every one of them (IAM is global to an
 *    account, so all regional stacks' roles are there). A role of the same name in another account is
 *    not ours and needs no protection from us; only someone who already administers the security
 *    account could create a role there under these names, and they need no responder to widen their
 *    power. The old `iam::*:` reached such look-alike roles in every account for nothing.
 *  - without a path: the stack creates its roles at `/`, so their ARNs are `role/<name>`, and a name is
 *    unique in an account whatever the path.
 *  - `<prefix>-<playbook>-`, not `<prefix>-*`: a lone `<prefix>-*` would also deny passing the scheduler
 *    roles (the approval wait needs that PassRole), and would reach the names of another deployment in the
 *    same account whose name starts with ours and a dash (`IR` and `IR-staging`), and the names
 *    CloudFormation gives the stack's unnamed roles (`<stack>-<region>-<LogicalId>-<random>`).
 *    The region part is the only wildcard.
 */
export function responderRoleFamilyArn(partition: string, account: string, namePrefix: string, family: string): string {
  return `arn:${partition}:iam::${account}:role/${roleNamePrefix(namePrefix)}-${family}-*`;
}

/**
 * A protected principal's pattern (`arn:aws:iam::<account or *>:<role|user>/<name>`, validated by
 * the configuration schema) under any path and in the stack's partition, as the code matches it
 * (lambda/iam/principal-patterns.ts compares kind and name, whatever the path).
 */
function anyPath(partition: string, pattern: string): string {
  const parts = /^arn:aws:iam::([^:]+):(role|user)\/(.+)$/.exec(pattern);
  if (!parts) throw new Error(`not a principal pattern: ${pattern}`);
  const [, account, kind, name] = parts as unknown as [string, string, string, string];
  return `arn:${partition}:iam::${account}:${kind}*/${name}`;
}

type PrincipalGuardrailProps = Omit<GuardrailProps, 'exemptTagKey' | 'specs'>;

/** The ARNs the principal writes are denied on: the playbook roles in the security account, the member role in any account, and the protected principals. */
export function protectedPrincipalArns(props: PrincipalGuardrailProps): string[] {
  const partition = props.refs.partition;
  const { account, namePrefix } = props.responderRoles;
  return [
    ...new Set([
      ...PLAYBOOK_NAMES.map((playbook) => responderRoleFamilyArn(partition, account, namePrefix, playbook)),
      roleArn(partition, props.memberRoleName),
      ...props.protectedPrincipals.map((pattern) => anyPath(partition, pattern)),
    ]),
  ];
}

/** The ARNs every IAM write but iam:PassRole is denied on: the scheduler roles of every region, when the deployment has them. */
export function passableRoleArns(props: PrincipalGuardrailProps): string[] {
  const { account, namePrefix, scheduler } = props.responderRoles;
  return scheduler ? [responderRoleFamilyArn(props.refs.partition, account, namePrefix, APPROVAL_SCHEDULER_ROLE_PART)] : [];
}

/** The role's EC2 writes, from its step declarations: the actions of mutating steps, less the reads some of them also make. */
export function mutatingEc2Actions(specs: readonly StepSpec[]): IamAction[] {
  const actions = grantsOf(specs.filter((spec) => spec.mutating)).map((grant) => grant.action);
  return [...new Set(actions.filter((action) => action.startsWith('ec2:') && !/^ec2:(Describe|Get|List)/.test(action)))].sort();
}

/** No IAM write on the responder's roles, the protected principals, any group or managed policy. The same for every role of a stack. */
export function principalGuardrailStatements(props: PrincipalGuardrailProps): iam.PolicyStatement[] {
  const partition = props.refs.partition;
  const passable = passableRoleArns(props);
  return [
    new iam.PolicyStatement({
      sid: 'DenyChangingResponderAndProtectedPrincipals',
      effect: iam.Effect.DENY,
      actions: [...IAM_WRITE_VERBS],
      resources: [...protectedPrincipalArns(props), `arn:${partition}:iam::*:group/*`, `arn:${partition}:iam::*:policy/*`],
    }),
    ...(passable.length > 0
      ? [
          new iam.PolicyStatement({
            sid: 'DenyChangingPassableRoles',
            effect: iam.Effect.DENY,
            actions: IAM_WRITE_VERBS.filter((verb) => verb !== 'iam:PassRole'),
            resources: passable,
          }),
        ]
      : []),
  ];
}

/** The role's Lambda writes on functions, from its step declarations (contain-function's throttle). */
export function mutatingLambdaActions(specs: readonly StepSpec[]): IamAction[] {
  const actions = grantsOf(specs.filter((spec) => spec.mutating)).map((grant) => grant.action);
  return [...new Set(actions.filter((action) => action.startsWith('lambda:') && !/^lambda:(Get|List)/.test(action)))].sort();
}

/**
 * No Lambda write of this role on a function carrying the exempt tag: Lambda
 * authorises function actions on aws:ResourceTag (its ABAC), so the exemption
 * holds even if the code is wrong.
 */
function lambdaExemptionStatements(props: Pick<GuardrailProps, 'refs' | 'exemptTagKey' | 'specs'>): iam.PolicyStatement[] {
  const writes = mutatingLambdaActions(props.specs);
  if (writes.length === 0) return [];
  return [
    new iam.PolicyStatement({
      sid: 'DenyActingOnExemptFunctions',
      effect: iam.Effect.DENY,
      actions: writes,
      resources: [`arn:${props.refs.partition}:lambda:*:*:function:*`],
      conditions: { Null: { [`aws:ResourceTag/${props.exemptTagKey}`]: 'false' } },
    }),
  ];
}

/** No EC2 write of this role on an instance, volume or network interface carrying the exempt tag, and no Lambda write on such a function (none when the role has no such write). */
export function exemptionGuardrailStatements(props: Pick<GuardrailProps, 'refs' | 'exemptTagKey' | 'specs'>): iam.PolicyStatement[] {
  const ec2Writes = mutatingEc2Actions(props.specs);
  if (ec2Writes.length === 0) return lambdaExemptionStatements(props);
  const partition = props.refs.partition;
  return [
    new iam.PolicyStatement({
      sid: 'DenyActingOnExemptResources',
      effect: iam.Effect.DENY,
      actions: ec2Writes,
      resources: (['instance', 'volume', 'network-interface'] as const).map((type) => ec2ResourceArn(type, { partition, account: '*' })),
      conditions: { Null: { [`aws:ResourceTag/${props.exemptTagKey}`]: 'false' } },
    }),
    ...lambdaExemptionStatements(props),
  ];
}

/**
 * The principal guardrails as one customer managed policy, attached to every
 * responder role of the stack, kept apart from the role's inline policies
 * (10,240 characters in all) and their playbook statements; a managed policy
 * holds 6,144 of its own, which the region wildcard of responderRoleFamilyArn
 * keeps it far from whatever the number of regions.
 */
export function principalGuardrailPolicy(scope: Construct, id: string, props: PrincipalGuardrailProps): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, id, {
    description: "GuardDuty incident response: no responder role may change its own, another responder role's or a protected principal's permissions",
    statements: principalGuardrailStatements(props),
  });
}
