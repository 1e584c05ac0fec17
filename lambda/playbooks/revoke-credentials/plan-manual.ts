import type { PlaybookPlan } from '../types';
import type { ManualFacts } from './facts';
import type { ManualPrincipal, ManualPrincipalKind } from './principal';
import { manualResponseVerdict } from './protection';

/*
 * Root, AWS service and federated principals, and whatever the playbook
 * cannot identify: no call can safely revoke them, so the plan changes
 * nothing and tells people what to do.
 */

function rootSteps(p: ManualPrincipal): string[] {
  const key = p.accessKeyId?.startsWith('AKIA') ? ` (the finding names root access key ${p.accessKeyId})` : '';
  return [
    `the root user's credentials were used${key}. By hand: sign in as root, delete every root access key and change the root password.`,
    'enable MFA on the root user (or replace its MFA device if it may be compromised), and check the account contact and recovery details.',
    'review CloudTrail for every action of the root user since the finding was first seen; consider centralised root access to remove root credentials altogether.',
  ];
}

function awsServiceSteps(p: ManualPrincipal): string[] {
  return [
    `the caller was an AWS service acting for the account (principal ${p.principalId ?? 'unknown'}): there is no credential of it to revoke.`,
    'find in CloudTrail which role or resource the service acted for (invokedBy, the role it assumed) and revoke or contain that one by hand.',
  ];
}

function federatedSteps(p: ManualPrincipal): string[] {
  // Sessions of a role federated through an IdP carry "<role id>:<session name>"; role ids start with AROA.
  const roleId = p.principalId?.startsWith('AROA') ? p.principalId.split(':')[0] : null;
  const role = roleId ? ` (role id ${roleId})` : '';
  return [
    `a federated session of ${p.userName ?? 'an unknown identity'} was misused: disable or reset that identity and revoke its sessions at the identity provider.`,
    `the role it assumed${role} is not named in the finding: find it in CloudTrail (AssumeRoleWithSAML / AssumeRoleWithWebIdentity) and use "Revoke active sessions" on it in the IAM console.`,
  ];
}

function unknownSteps(p: ManualPrincipal): string[] {
  return [`${p.why}: nothing is revoked automatically. Identify the principal behind access key ${p.accessKeyId ?? '(none named)'} in CloudTrail and revoke it by hand.`];
}

const MANUAL_STEPS: Readonly<Record<ManualPrincipalKind, (p: ManualPrincipal) => string[]>> = {
  root: rootSteps,
  'aws-service': awsServiceSteps,
  federated: federatedSteps,
  unknown: unknownSteps,
};

export function planForManual(facts: ManualFacts): PlaybookPlan {
  const { principal } = facts;
  return {
    steps: [],
    warnings: MANUAL_STEPS[principal.kind](principal),
    verdicts: [manualResponseVerdict(principal.why)],
    resourceTags: {},
    resource: {
      principal: principal.kind,
      userType: principal.userType,
      userName: principal.userName,
      principalId: principal.principalId,
      accessKeyId: principal.accessKeyId,
    },
  };
}
