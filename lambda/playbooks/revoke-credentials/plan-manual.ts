import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from '../../iam/revoke-sessions';
import type { PlaybookPlan } from '../types';
import type { ManualFacts } from './facts';
import { untrusted } from '../../text/untrusted';
import { callerOutsideVerdict } from './acting-principal';
import type { ManualPrincipal, ManualPrincipalKind } from './principal';
import { manualResponseVerdict } from './protection';

/*
 * Root, AWS service and federated principals (a federated user only when the
 * finding does not name the IAM user that issued it), and whatever the
 * playbook cannot identify: no call can safely revoke them, so the plan
 * changes nothing and tells people what to do, each step marked MANUAL.
 */

function rootSteps(p: ManualPrincipal, context: ManualContext): string[] {
  const account = context.accountId ?? '<the account>';
  const key = p.accessKeyId?.startsWith('AKIA') ? ` The finding names root access key ${p.accessKeyId}: delete it.` : '';
  const since = context.since ? ` --start-time ${context.since}` : '';
  return [
    `MANUAL, ROOT USER: the root user of account ${account} was used. The responder never acts on root (IAM policies cannot restrict it), so every step is yours, now.`,
    `MANUAL: sign in as the root user of ${account} > Security credentials: delete every root access key, change the password, and enable (or replace) MFA.${key} ` +
      `In an AWS Organizations member account with centralized root access, from the management account instead: aws sts assume-root --target-principal ${account} ` +
      '--task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials, then delete the root password, keys, signing certificates and MFA devices with those credentials.',
    'MANUAL: temporary credentials the root user obtained (GetSessionToken, GetFederationToken) cannot be revoked: they expire (one hour at most for GetFederationToken as root). ' +
      'Check the account contact, alternate contacts and recovery details: the attacker may have changed them.',
    `MANUAL: review what the root user did: aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root${since} --region ${context.region ?? '<the region>'} ` +
      '(and in every other region), and undo what is not yours.',
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

function federatedUserSteps(p: ManualPrincipal, context: ManualContext): string[] {
  const key = p.accessKeyId ?? '(none named)';
  const account = context.accountId ?? 'the account';
  return [
    `MANUAL: ${p.why}. A session from sts:GetFederationToken is revoked only by denying the IAM user that called GetFederationToken (AWS applies that user's policies to ` +
      'every request of the session), and the finding does not name it, so the responder revokes nothing.',
    `MANUAL: find the issuing user in CloudTrail of ${account}: any event made with key ${key} names it in userIdentity.sessionContext.sessionIssuer, or the ` +
      `GetFederationToken event whose responseElements.credentials.accessKeyId is ${key} names it in userIdentity. Then: aws iam put-user-policy --user-name <that user> ` +
      `--policy-name ${REVOKE_POLICY_NAME} --policy-document '${revokeOlderSessionsPolicy(context.now)}' (every session the user issued before now stops working), ` +
      'and deactivate the access key that called GetFederationToken if it is compromised.',
    'MANUAL: if the root user called GetFederationToken, its federated sessions cannot be restricted: they expire within one hour; secure the root user.',
  ];
}

/**
 * A caller of another account (remoteAccountDetails): the principal of that name
 * in the finding's account did not act, and the responder holds no role in the
 * caller's account (it may be nobody's we know). The bucket or resource is ours:
 * what it grants to that account is what can be changed here.
 */
function outsideAccountSteps(p: ManualPrincipal, context: ManualContext): string[] {
  const caller = p.callerAccountId ?? '(not named: see remoteAccountDetails in the finding)';
  const name = p.userName === null ? 'the caller' : `${p.userType === null ? 'principal' : untrusted(p.userType)} ${untrusted(p.userName)}`;
  const key = p.accessKeyId === null ? '(none named)' : untrusted(p.accessKeyId);
  return [
    `MANUAL, CALLER OF ANOTHER ACCOUNT: ${p.why}. The responder revokes nothing: a principal of the same name in account ${context.accountId ?? '(unknown)'} is not the caller, ` +
      `and revoking it would cut off a principal that did not act.`,
    `MANUAL: the caller is ${name} of account ${caller} (access key ${key}). If that account is yours, revoke it there: deactivate the key if it is long-term, ` +
      `and "Revoke active sessions" on its role (policy ${REVOKE_POLICY_NAME}). If it is not yours, report the key to its owner or AWS.`,
    `MANUAL: in account ${context.accountId ?? '(the finding\'s account)'}, remove what grants account ${caller} access: bucket policies and ACLs, KMS key policies, role trust policies ` +
      `naming it (aws s3api get-bucket-policy, aws iam list-roles), and review its S3 data events in CloudTrail.`,
  ];
}

function unknownSteps(p: ManualPrincipal): string[] {
  return [`${p.why}: nothing is revoked automatically. Identify the principal behind access key ${p.accessKeyId ?? '(none named)'} in CloudTrail and revoke it by hand.`];
}

/** What the manual steps name besides the principal: the account, the region, when it started, the planning time. */
export interface ManualContext {
  readonly accountId: string | null;
  readonly region: string | null;
  /** The finding's first sighting of the activity, for CloudTrail look-ups. */
  readonly since: string | null;
  readonly now: Date;
}

const MANUAL_STEPS: Readonly<Record<ManualPrincipalKind, (p: ManualPrincipal, context: ManualContext) => string[]>> = {
  root: rootSteps,
  'aws-service': awsServiceSteps,
  federated: federatedSteps,
  'unknown-issuer': federatedUserSteps,
  'outside-account': outsideAccountSteps,
  unknown: unknownSteps,
};

export function planForManual(facts: ManualFacts, context: ManualContext): PlaybookPlan {
  const { principal } = facts;
  return {
    steps: [],
    warnings: MANUAL_STEPS[principal.kind](principal, context),
    // A caller of another account is named for what it is (lambda/guards/acting-principal.ts), beside the manual response.
    verdicts: [...(principal.kind === 'outside-account' ? [callerOutsideVerdict(principal.why)] : []), manualResponseVerdict(principal.why)],
    resourceTags: {},
    resource: {
      principal: principal.kind,
      userType: principal.userType,
      userName: principal.userName,
      principalId: principal.principalId,
      accessKeyId: principal.accessKeyId,
      ...(principal.kind === 'outside-account' ? { callerAccountId: principal.callerAccountId ?? null } : {}),
    },
  };
}
