import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamAction, StepSpec } from '../../lambda/plan/types';
import { grantsOf } from './scoped-statements';
import { ec2ResourceArn, type ScopeReferences } from './action-resources';

/*
 * The explicit Deny statements every responder role carries (each playbook
 * role, the member role). An explicit Deny wins over any Allow, so they hold
 * whatever a step declaration allows today or tomorrow:
 *  - no IAM write on the responder's own roles (every playbook role of every
 *    region, the member role in any account) nor on the protected principals
 *    of the configuration: the inline-policy writes that revoke sessions
 *    (iam:PutRolePolicy, iam:PutUserPolicy) reach the principals a finding
 *    names, never the responder itself or a break-glass role;
 *  - no write to any group's or managed policy's permissions: the responder
 *    never needs one;
 *  - no EC2 write on an instance, volume or network interface carrying the
 *    exempt tag, so the exemption holds even if the code is wrong.
 */

/**
 * IAM actions that change what a role or user may do, who may assume it, or
 * its credentials: denied on the responder's roles and the protected
 * principals. (The Service Authorization Reference's Permissions management
 * and credential-changing Write actions of IAM on roles and users.)
 */
export const PRINCIPAL_WRITE_ACTIONS: readonly IamAction[] = [
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:DeleteRole',
  'iam:PassRole',
  'iam:PutUserPolicy',
  'iam:DeleteUserPolicy',
  'iam:AttachUserPolicy',
  'iam:DetachUserPolicy',
  'iam:PutUserPermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:TagUser',
  'iam:UntagUser',
  'iam:AddUserToGroup',
  'iam:RemoveUserFromGroup',
  'iam:CreateAccessKey',
  'iam:UpdateAccessKey',
  'iam:DeleteAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:DeleteLoginProfile',
  'iam:UpdateSSHPublicKey',
  'iam:UpdateServiceSpecificCredential',
  'iam:UpdateSigningCertificate',
  'iam:DeactivateMFADevice',
];

/** Writes to the permissions of groups and managed policies: denied on every group and policy. */
export const POLICY_WRITE_ACTIONS: readonly IamAction[] = [
  'iam:PutGroupPolicy',
  'iam:DeleteGroupPolicy',
  'iam:AttachGroupPolicy',
  'iam:DetachGroupPolicy',
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
];

export interface GuardrailProps {
  readonly refs: Pick<ScopeReferences, 'partition' | 'account'>;
  /** Every playbook role name of the deployment, in each of its regions (lib/naming.ts responderRoleNames). */
  readonly responderRoleNames: readonly string[];
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
// account whatever the path). One pattern per name keeps the role's policies far from IAM's
// 10,240-character limit with many regions.
function roleArn(partition: string, name: string): string {
  return `arn:${partition}:iam::*:role*/${name}`;
}

/** The ARNs the principal writes are denied on: the responder's roles in any account, and the protected principals. */
export function protectedPrincipalArns(props: Omit<GuardrailProps, 'exemptTagKey' | 'specs'>): string[] {
  const partition = props.refs.partition;
  const names = [...props.responderRoleNames, props.memberRoleName];
  return [...new Set([...names.map((name) => roleArn(partition, name)), ...props.protectedPrincipals])];
}

/** The role's EC2 writes, from its step declarations: the actions of mutating steps, less the reads some of them also make. */
export function mutatingEc2Actions(specs: readonly StepSpec[]): IamAction[] {
  const actions = grantsOf(specs.filter((spec) => spec.mutating)).map((grant) => grant.action);
  return [...new Set(actions.filter((action) => action.startsWith('ec2:') && !/^ec2:(Describe|Get|List)/.test(action)))].sort();
}

export function guardrailStatements(props: GuardrailProps): iam.PolicyStatement[] {
  const partition = props.refs.partition;
  const statements = [
    new iam.PolicyStatement({
      sid: 'DenyChangingResponderAndProtectedPrincipals',
      effect: iam.Effect.DENY,
      actions: [...PRINCIPAL_WRITE_ACTIONS],
      resources: protectedPrincipalArns(props),
    }),
    new iam.PolicyStatement({
      sid: 'DenyChangingGroupAndManagedPolicies',
      effect: iam.Effect.DENY,
      actions: [...POLICY_WRITE_ACTIONS],
      resources: [`arn:${partition}:iam::*:group/*`, `arn:${partition}:iam::*:policy/*`],
    }),
  ];
  const ec2Writes = mutatingEc2Actions(props.specs);
  if (ec2Writes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyActingOnExemptResources',
        effect: iam.Effect.DENY,
        actions: ec2Writes,
        resources: (['instance', 'volume', 'network-interface'] as const).map((type) => ec2ResourceArn(type, { partition, account: '*' })),
        conditions: { Null: { [`aws:ResourceTag/${props.exemptTagKey}`]: 'false' } },
      }),
    );
  }
  return statements;
}
