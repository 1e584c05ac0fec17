import type { PlanningInput, PlaybookPlan } from '../types';
import { foundValue, type FederatedUserFacts, type RevokeCredentialsFacts } from './facts';
import { checkPrincipal, principalInvestigation } from './checked-principal';
import { keyKindOf } from './principal';
import { afterKeyRecord, keyRestoreRecordStep } from './restore-record-step';
import { revokeUserSessionsStep } from './revoke-user-sessions-step';

/*
 * A session from sts:GetFederationToken (userType FederatedUser). Such a
 * session has no role and no key of its own that IAM can revoke; AWS
 * evaluates the policies of the IAM user that called GetFederationToken on
 * every request the session makes. So the only revocation AWS allows is a
 * deny on that user: the AWSRevokeOlderSessions policy denies every session
 * the user issued before now, its federated sessions included (they carry
 * aws:TokenIssueTime). The plan says what this does not cover.
 */

function federatedWarnings(facts: FederatedUserFacts): string[] {
  const { issuerUserName, federatedName, accessKeyId } = facts.principal;
  const session = federatedName ? `federated session "${federatedName}"` : 'the federated session';
  return [
    `${session} (key ${accessKeyId ?? 'not named'}) came from sts:GetFederationToken called by IAM user ${issuerUserName}: ` +
      `a federated session cannot be revoked on its own, so every session IAM user ${issuerUserName} issued before the revocation stops working, ` +
      'its own and every other federated session included, legitimate ones too.',
    `the long-term access keys of IAM user ${issuerUserName} keep working and can call GetFederationToken again: the finding does not name which key minted ` +
      `${session}. Find the GetFederationToken call that returned ${accessKeyId ?? 'the key'} in CloudTrail and deactivate that key by hand if it is compromised.`,
  ];
}

function federatedResource(facts: FederatedUserFacts): Record<string, unknown> {
  const { principal, user } = facts;
  const entity = foundValue(user);
  return {
    principal: 'federated-user',
    userType: 'FederatedUser',
    issuerUserName: principal.issuerUserName,
    federatedName: principal.federatedName,
    principalId: principal.principalId,
    accessKeyId: principal.accessKeyId,
    userState: user.state,
    arn: entity?.arn ?? null,
    path: entity?.path ?? null,
  };
}

export function planForFederatedUser(input: PlanningInput<RevokeCredentialsFacts>, facts: FederatedUserFacts): PlaybookPlan {
  const { issuerUserName, accessKeyId } = facts.principal;
  const { user } = facts;
  // The issuing user is what is changed, so it is what the protections and exemptions are checked against.
  const { entity, ruling, verdicts } = checkPrincipal(input, 'user', issuerUserName, user, 'federated-session-issuer');
  const base = { verdicts, resourceTags: entity?.tags ?? {}, resource: federatedResource(facts) };

  if (user.state === 'missing') {
    return {
      ...base,
      steps: principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'user', name: issuerUserName, lookup: user }, []),
      warnings: [
        `IAM user ${issuerUserName}, which the finding names as the issuer of the federated session, no longer exists (GetUser: ${user.error.code}): ` +
          'its federated sessions stopped working with it, unless the name was reused. Find out in CloudTrail who deleted it.',
      ],
    };
  }
  const offline = user.state === 'not-read' ? [`planned from the finding alone: IAM user ${issuerUserName} and its tags were not read.`] : [];
  if (ruling.protection) {
    return { ...base, steps: principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'user', name: issuerUserName, lookup: user }, []), warnings: [...offline, ruling.protection.manualStep] };
  }

  const sessions = revokeUserSessionsStep({
    userName: issuerUserName,
    userLabel: entity?.arn ?? `IAM user ${issuerUserName}`,
    planningTime: input.now,
    stage: 1,
    because:
      `the finding shows federated session key ${accessKeyId ?? '(not named)'} issued by IAM user ${issuerUserName} being misused; ` +
      "AWS applies the issuing user's policies to its federated sessions, so denying the user's older sessions is how they are revoked",
  });
  const record = keyRestoreRecordStep({
    accountId: input.finding.accountId ?? null,
    accessKeyId,
    incidentId: input.incidentId,
    findingId: input.finding.id,
    region: input.finding.region ?? null,
    principal: { kind: 'user', name: issuerUserName },
  });
  const containment = [record, ...afterKeyRecord([sessions])];
  return { ...base, steps: [...containment, ...principalInvestigation(input, { accessKeyId, keyKind: keyKindOf(accessKeyId) }, { kind: 'user', name: issuerUserName, lookup: user }, containment)], warnings: [...offline, ...federatedWarnings(facts)] };
}
