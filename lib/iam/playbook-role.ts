import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { S3QuarantineConfig } from '../../lambda/config/s3-quarantine';
import { copyModeDenyStatements, holdsCopyMode } from './s3-quarantine-mode';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { APPROVAL_STEP_SPECS } from '../../lambda/approval/specs';
import { stepSpecsOf } from '../../lambda/playbooks/registry';
import type { StepSpec } from '../../lambda/plan/types';
import { actsInFindingAccount } from '../../lambda/routing/playbook-names';
import type { IncidentResponseConfig } from '../../lambda/config/schema';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import type { ScopeReferences } from './action-resources';
import { exemptionGuardrailStatements, type GuardrailProps } from './deny-statements';
import { attachStepPolicies } from './managed-step-policies';
import { scopedStatements } from './scoped-statements';
import { LOG_WRITING_ACTIONS } from './support-actions';

export interface PlaybookRoleProps {
  readonly playbook: PlaybookName;
  readonly roleName: string;
  readonly logGroup: logs.ILogGroup;
  /** The stack's scope references (scopeReferences below); lib/nag-suppressions.ts reads the same. */
  readonly refs: ScopeReferences;
  /** The exempt tag the role's Deny statement protects (lib/iam/deny-statements.ts). */
  readonly exemptTagKey: GuardrailProps['exemptTagKey'];
  /** The stack's principal guardrails (principalGuardrailPolicy), attached to the role. */
  readonly guardrailPolicy: iam.IManagedPolicy;
  /** quarantine-object's mode: in tag mode its role is denied the copy mode's actions (s3-quarantine-mode.ts). */
  readonly s3Quarantine: Pick<S3QuarantineConfig, 'mode'>;
}

/** What action-resources.ts needs to know about the stack. */
export function scopeReferences(scope: Construct, references: Omit<ScopeReferences, 'partition' | 'account' | 'region'>): ScopeReferences {
  const stack = Stack.of(scope);
  return { partition: stack.partition, account: stack.account, region: stack.region, ...references };
}

/**
 * The member role the playbooks may assume: by name, in the accounts
 * config.accounts.allow lists less the excluded ones, or in any account
 * when there is no allow list.
 */
export function memberRoleReference(config: Pick<IncidentResponseConfig, 'memberRoleName' | 'accounts'>): NonNullable<ScopeReferences['memberRole']> {
  const { allow, exclude } = config.accounts;
  return {
    name: config.memberRoleName,
    ...(allow ? { accounts: allow.filter((account) => !exclude.includes(account)) } : {}),
  };
}

/**
 * Every step declaration a playbook's role is built from: its own steps', and, in a stack whose responses can wait
 * for a decision (config `approval`), the wait's (lambda/approval/specs.ts) for the playbooks that act (notify never
 * waits). lib/nag-suppressions.ts reads the same.
 */
export function playbookRoleSpecs(playbook: PlaybookName, refs: Pick<ScopeReferences, 'approval'>): readonly StepSpec[] {
  const waits = refs.approval !== undefined && actsInFindingAccount(playbook);
  return waits ? [...stepSpecsOf(playbook), ...APPROVAL_STEP_SPECS] : stepSpecsOf(playbook);
}

/**
 * The playbooks whose step statements live in customer managed policies
 * (lib/iam/managed-step-policies.ts), not inline: answer-sequence's are the
 * union of every playbook it answers a resource with
 * (lambda/playbooks/answer-sequence/members.ts), past the 10,240 characters
 * IAM allows a role's inline policies. Every other role keeps them inline.
 */
export const STEPS_IN_MANAGED_POLICIES: readonly PlaybookName[] = ['answer-sequence'];

/**
 * The role of one playbook: exactly the actions its steps declare
 * (stepSpecsOf), scoped by action-resources.ts and confined by the steps'
 * conditions, plus writing its own logs; and the guardrails: explicit Deny
 * statements no Allow can outweigh (the stack's guardrail policy, and the
 * exemption inline). No AWS managed policy: AWSLambdaBasicExecutionRole
 * would allow every log group of the account.
 */
export function createPlaybookRole(scope: Construct, id: string, props: PlaybookRoleProps): iam.Role {
  const refs = props.refs;
  const exemption = exemptionGuardrailStatements({ refs, exemptTagKey: props.exemptTagKey, specs: stepSpecsOf(props.playbook) });
  const steps = scopedStatements(playbookRoleSpecs(props.playbook, refs), refs);
  const managed = STEPS_IN_MANAGED_POLICIES.includes(props.playbook);
  const role = new iam.Role(scope, id, {
    roleName: props.roleName,
    description: `GuardDuty incident response: ${props.playbook} playbook`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [props.guardrailPolicy],
    inlinePolicies: {
      ...(managed ? {} : { PlaybookSteps: new iam.PolicyDocument({ statements: steps }) }),
      // The exemption Deny, when the playbook writes to EC2 at all (notify does not).
      ...(exemption.length > 0 ? { Guardrails: new iam.PolicyDocument({ statements: exemption }) } : {}),
      // In tag mode, quarantine-object's role cannot use the copy mode's actions its steps declare.
      ...(holdsCopyMode(props.playbook) && copyModeDenyStatements(props.s3Quarantine).length > 0
        ? { QuarantineMode: new iam.PolicyDocument({ statements: copyModeDenyStatements(props.s3Quarantine) }) }
        : {}),
      WriteOwnLogs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ actions: [...LOG_WRITING_ACTIONS], resources: [props.logGroup.logGroupArn] })],
      }),
    },
  });
  if (managed) attachStepPolicies(role, steps, `GuardDuty incident response: ${props.playbook} playbook steps`, 1);
  return role;
}
