import type { PlanningInput, PlaybookPlan } from '../types';
import { foundValue, type RevokeCredentialsFacts, type RoleFacts } from './facts';
import { checkPrincipal, principalInvestigation } from './checked-principal';
import { planForIdentityCenterRole, readAsIdentityCenterRole } from './plan-identity-center';
import { keyKindOf } from './principal';
import { afterKeyRecord, keyRestoreRecordStep } from './restore-record-step';
import { revokeRoleSessionsStep } from './revoke-role-sessions-step';

/*
 * A role's credentials (an assumed-role session, or an instance's role
 * credentials used elsewhere): revoke the role's older sessions. The role
 * itself is never disabled or deleted; whatever legitimately uses it
 * recovers with fresh credentials.
 */

function roleWarnings(facts: RoleFacts): string[] {
  const { roleName, sessionName, instanceCredentials } = facts.principal;
  const warnings = [
    `every session of IAM role ${roleName} issued before the revocation stops working, legitimate ones included, until it takes fresh credentials.`,
  ];
  if (instanceCredentials) {
    const instance = sessionName?.startsWith('i-') ? `instance ${sessionName}` : 'the instance';
    warnings.push(
      `credentials of an instance role were used from elsewhere: ${instance} may be compromised (consider the contain-instance playbook), ` +
        `and every other instance using role ${roleName} loses its credentials until they refresh.`,
    );
  }
  warnings.push(`role ${roleName} itself is unchanged (never disabled or deleted): review its trust policy and permissions.`);
  return warnings;
}

function roleResource(facts: RoleFacts): Record<string, unknown> {
  const { principal, role } = facts;
  const entity = foundValue(role);
  return {
    principal: 'role',
    userType: principal.userType,
    roleName: principal.roleName,
    sessionName: principal.sessionName,
    principalId: principal.principalId,
    accessKeyId: principal.accessKeyId,
    instanceCredentials: principal.instanceCredentials,
    roleState: role.state,
    arn: entity?.arn ?? null,
    path: entity?.path ?? null,
  };
}

export function planForRole(input: PlanningInput<RevokeCredentialsFacts>, facts: RoleFacts): PlaybookPlan {
  const { roleName, accessKeyId } = facts.principal;
  const { role } = facts;
  const { entity, ruling, verdicts, notTheCaller } = checkPrincipal(input, 'role', roleName, role, { principalId: facts.principal.principalId });
  // The role's tags are reported, but never exempt it (see exempt-tag.ts): credentials.exemptPrincipals does.
  const base = { verdicts, resourceTags: entity?.tags ?? {}, resource: roleResource(facts) };

  if (role.state === 'missing') {
    return {
      ...base,
      steps: principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'role', name: roleName, lookup: role }, []),
      warnings: [`IAM role ${roleName} no longer exists (GetRole: ${role.error.code}): there is no role to attach the revoke policy to. Find out in CloudTrail who deleted it.`],
    };
  }
  // Not the caller (another principal of the same name): nothing at all is planned against it, not even its investigation.
  if (notTheCaller) return { ...base, steps: [], warnings: [...notTheCaller] };
  const offline: string[] = role.state === 'not-read' ? [`planned from the finding alone: IAM role ${roleName}, its path and its tags were not read.`] : [];
  const identityCenter = readAsIdentityCenterRole(facts);
  if (identityCenter.isIdentityCenter) {
    // IAM refuses every change to these roles: the plan is the manual one, with what can still be read.
    return planForIdentityCenterRole(input, facts, { ...base, verdicts: [...verdicts, identityCenter.verdict] }, [...offline], principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'role', name: roleName, lookup: role }, []));
  }
  offline.push(...identityCenter.warnings);
  // A protected role gets no revoking step at all, not one that a verdict blocks: the plan says what to do by hand.
  if (ruling.protection) {
    return { ...base, steps: principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'role', name: roleName, lookup: role }, []), warnings: [...offline, ruling.protection.manualStep] };
  }

  const key = accessKeyId ? `key ${accessKeyId} of ` : '';
  const step = revokeRoleSessionsStep({
    roleName,
    roleLabel: entity?.arn ?? `IAM role ${roleName}`,
    planningTime: input.now,
    stage: 1,
    because: `the finding shows temporary ${key}role ${roleName} being misused, and temporary keys cannot be deactivated`,
  });
  const record = keyRestoreRecordStep({
    accountId: input.finding.accountId ?? null,
    accessKeyId,
    incidentId: input.incidentId,
    findingId: input.finding.id,
    region: input.finding.region ?? null,
    principal: { kind: 'role', name: roleName },
  });
  const containment = [record, ...afterKeyRecord([step])];
  return { ...base, steps: [...containment, ...principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'role', name: roleName, lookup: role }, containment)], warnings: [...offline, ...roleWarnings(facts)] };
}
