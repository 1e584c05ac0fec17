import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ConfigError, type IncidentResponseConfig } from '../../lambda/config/schema';
import type { ScopeReferences } from '../iam/action-resources';
import { scopeReferences } from '../iam/playbook-role';
import { scopedStatements } from '../iam/scoped-statements';
import { copyModeDenyStatements } from '../iam/s3-quarantine-mode';
import { acknowledgeMemberNagFindings } from '../nag-suppressions';
import { exemptionGuardrailStatements, principalGuardrailPolicy } from '../iam/deny-statements';
import { memberRoleStepSpecs } from './member-actions';
import { trustedPlaybookRoleArns } from './trusted-principals';

export const MEMBER_ROLE_ARN_OUTPUT = 'MemberRoleArn';

export interface IncidentResponseMemberStackProps extends StackProps {
  readonly config: IncidentResponseConfig;
  /** The security deployment's name (its playbook role names start with it). */
  readonly securityStackName: string;
}

/**
 * Deployed in every member account (per account with `cdk deploy`, or as a
 * StackSet from the synthesised template): one IAM role, named
 * config.memberRoleName, that the security account's playbooks assume to
 * act there. Trusted by those playbook roles by exact ARN and by the
 * operators config names, nothing else; allowed exactly what the
 * playbooks' steps declare.
 */
export class IncidentResponseMemberStack extends Stack {
  readonly role: iam.Role;
  readonly trustedPrincipals: readonly string[];
  readonly scopeReferences: ScopeReferences;
  readonly guardrailPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: IncidentResponseMemberStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (!config.securityAccountId) {
      throw new ConfigError(
        'invalid configuration: "securityAccountId" is required for the member stack: the 12-digit id of the security account whose playbooks assume the member role',
      );
    }
    // With no configured regions the security stack is a single stack; it is taken to be in the member stack's own region.
    const regions = config.regions.length > 0 ? config.regions : [this.region];
    this.trustedPrincipals = [
      ...trustedPlaybookRoleArns({ partition: this.partition, securityAccountId: config.securityAccountId, securityStackName: props.securityStackName, regions }),
      ...config.operatorPrincipals,
    ];
    // One statement: these principals, and (optionally) only from inside the organization.
    const principals = new iam.CompositePrincipal(...this.trustedPrincipals.map((arn) => new iam.ArnPrincipal(arn)));
    const assumedBy = config.organizationId
      ? new iam.PrincipalWithConditions(principals, { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } })
      : principals;
    this.scopeReferences = scopeReferences(this, {});

    // The member role can change neither itself nor the playbook roles that assume it, nor a protected principal of this account.
    this.guardrailPolicy = principalGuardrailPolicy(this, 'MemberGuardrails', {
      refs: this.scopeReferences,
      // The playbook roles live in the security account only: a role of another account under the same name is not ours.
      responderRoles: { account: config.securityAccountId, namePrefix: props.securityStackName, scheduler: false },
      memberRoleName: config.memberRoleName,
      protectedPrincipals: config.credentials.protectedPrincipals,
    });
    this.role = new iam.Role(this, 'MemberRole', {
      roleName: config.memberRoleName,
      description: `GuardDuty incident response: assumed by the playbooks of security account ${config.securityAccountId} to act in this account`,
      assumedBy,
      managedPolicies: [this.guardrailPolicy],
      inlinePolicies: {
        PlaybookSteps: new iam.PolicyDocument({ statements: scopedStatements(memberRoleStepSpecs(), this.scopeReferences) }),
        Guardrails: new iam.PolicyDocument({
          statements: exemptionGuardrailStatements({ refs: this.scopeReferences, exemptTagKey: config.exemptTagKey, specs: memberRoleStepSpecs() }),
        }),
        // In tag mode (the default), quarantine-object's copy-mode actions are denied here too (lib/iam/s3-quarantine-mode.ts).
        ...(copyModeDenyStatements(config.s3Quarantine).length > 0 ? { QuarantineMode: new iam.PolicyDocument({ statements: copyModeDenyStatements(config.s3Quarantine) }) } : {}),
      },
    });

    new CfnOutput(this, MEMBER_ROLE_ARN_OUTPUT, { value: this.role.roleArn, description: 'The role the incident-response playbooks assume here' });
    acknowledgeMemberNagFindings(this);
  }
}
