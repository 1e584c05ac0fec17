import { accessKeyOf } from '../../finding/accessors';
import type { Finding } from '../../finding/schema';
import { callerAccountOf } from './acting-principal';

/*
 * Whose credentials were misused, from resource.accessKeyDetails alone.
 * For roles GuardDuty puts the role name in userName and
 * "<role id>:<session name>" in principalId.
 */

/** AKIA: a long-term key, can be deactivated. ASIA: temporary, cannot be. */
export type KeyKind = 'long-term' | 'temporary' | 'unrecognised';

export interface IamUserPrincipal {
  readonly kind: 'iam-user';
  readonly userName: string;
  readonly accessKeyId: string | null;
  readonly keyKind: KeyKind;
  readonly principalId: string | null;
}

export interface RolePrincipal {
  readonly kind: 'role';
  readonly roleName: string;
  /** For instance credentials, the session name is the instance id. */
  readonly sessionName: string | null;
  readonly accessKeyId: string | null;
  readonly principalId: string | null;
  readonly userType: string | null;
  /** The finding says an instance's role credentials were used elsewhere. */
  readonly instanceCredentials: boolean;
  /** A role IAM Identity Center made for a permission set (AWSReservedSSO_*), else null. */
  readonly identityCenter: IdentityCenterSession | null;
}

/**
 * IAM Identity Center names the role of a permission set
 * AWSReservedSSO_<permission set>_<hex>, under /aws-reserved/sso.amazonaws.com/,
 * and the session after the Identity Center user who signed in.
 */
export interface IdentityCenterSession {
  readonly permissionSet: string | null;
  /** The Identity Center user name (the role session name), when the finding gives it. */
  readonly userName: string | null;
}

/**
 * A session from sts:GetFederationToken. AWS evaluates the policies of the
 * IAM user that called it on every request of the session, so the session is
 * revoked by denying that user: it is acted on only when the finding names
 * that user (userName, apart from the session's own caller-chosen name).
 */
export interface FederatedUserPrincipal {
  readonly kind: 'federated-user';
  /** The IAM user that called GetFederationToken. */
  readonly issuerUserName: string;
  /** The name the caller gave the session (after the colon of principalId), if any. */
  readonly federatedName: string | null;
  readonly accessKeyId: string | null;
  readonly principalId: string | null;
}

/** Principals the playbook never acts on: the report gives the manual steps. */
export type ManualPrincipalKind = 'root' | 'aws-service' | 'federated' | 'unknown-issuer' | 'outside-account' | 'unknown';

export interface ManualPrincipal {
  readonly kind: ManualPrincipalKind;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly principalId: string | null;
  readonly accessKeyId: string | null;
  /** Why the principal was classified so, in words for the report. */
  readonly why: string;
  /** outside-account: the caller's account as remoteAccountDetails names it (null when it names none that parses). */
  readonly callerAccountId?: string | null;
}

export type Principal = IamUserPrincipal | RolePrincipal | FederatedUserPrincipal | ManualPrincipal;

// IAM user and role names: 1-64 of letters, digits and +=,.@_-. Anything else is not a name we can act on.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const LONG_TERM_KEY = /^AKIA[A-Z0-9]{12,124}$/;
const TEMPORARY_KEY = /^ASIA[A-Z0-9]{12,124}$/;
// Sample findings name placeholder principals; acting on them would act on a name someone may really use.
const PLACEHOLDER = /^GeneratedFinding/;
// AWSReservedSSO_<permission set name>_<16 hex>: the permission set name itself may hold underscores.
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;
const IDENTITY_CENTER_PREFIX = 'AWSReservedSSO_';
// The principal id of a GetFederationToken session: "<account id>:<name the caller chose>".
const FEDERATED_PRINCIPAL_ID = /^(\d{12}):(.+)$/;

/** Where IAM Identity Center keeps the roles of permission sets; GetRole's path confirms the name. */
export const IDENTITY_CENTER_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';

export function keyKindOf(accessKeyId: string | null): KeyKind {
  if (accessKeyId && LONG_TERM_KEY.test(accessKeyId)) return 'long-term';
  if (accessKeyId && TEMPORARY_KEY.test(accessKeyId)) return 'temporary';
  return 'unrecognised';
}

export function isInstanceCredentialExfiltration(findingType: string): boolean {
  return findingType.startsWith('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration');
}

export function isIdentityCenterRoleName(roleName: string): boolean {
  return roleName.startsWith(IDENTITY_CENTER_PREFIX);
}

function identityCenterOf(roleName: string, sessionName: string | null): IdentityCenterSession | null {
  if (!isIdentityCenterRoleName(roleName)) return null;
  return { permissionSet: IDENTITY_CENTER_ROLE.exec(roleName)?.[1] ?? null, userName: sessionName };
}

function federatedUserOf(finding: Finding, userName: string | null, principalId: string | null, accessKeyId: string | null): FederatedUserPrincipal | ManualPrincipal {
  const parts = principalId ? FEDERATED_PRINCIPAL_ID.exec(principalId) : null;
  const manual = (why: string): ManualPrincipal => ({ kind: 'unknown-issuer', userType: 'FederatedUser', userName, principalId, accessKeyId, why });
  if (userName === null || !IAM_NAME.test(userName)) {
    return manual(`userType is FederatedUser and the finding names no IAM user that issued the session (userName ${JSON.stringify(userName)})`);
  }
  // Without "<account>:<session name>" the session's own name cannot be told apart from the issuer: fail closed.
  if (!parts || parts[1] !== finding.accountId) {
    return manual(
      `userType is FederatedUser and principalId ${JSON.stringify(principalId)} is not "<account ${finding.accountId ?? 'id'}>:<session name>", ` +
        `so userName "${userName}" cannot be told apart from the session's own, caller-chosen name`,
    );
  }
  const federatedName = parts[2]!;
  // The session's own name is chosen by whoever called GetFederationToken: acting on an IAM user of that name would let them pick the victim.
  if (federatedName === userName) {
    return manual(`userType is FederatedUser and userName "${userName}" is the session's own, caller-chosen name, not the IAM user that issued it`);
  }
  return { kind: 'federated-user', issuerUserName: userName, federatedName, accessKeyId, principalId };
}

function sessionNameOf(principalId: string | null): string | null {
  if (!principalId) return null;
  const separator = principalId.indexOf(':');
  return separator >= 0 && separator < principalId.length - 1 ? principalId.slice(separator + 1) : null;
}

export function classifyPrincipal(finding: Finding): Principal {
  const details = accessKeyOf(finding);
  const userType = details?.userType ?? null;
  const userName = details?.userName ?? null;
  const principalId = details?.principalId ?? null;
  const accessKeyId = details?.accessKeyId ?? null;
  const manual = (kind: ManualPrincipalKind, why: string): ManualPrincipal => ({ kind, userType, userName, principalId, accessKeyId, why });

  if (!details) return manual('unknown', 'the finding has no resource.accessKeyDetails');
  if (userName !== null && PLACEHOLDER.test(userName)) {
    return manual('unknown', `userName "${userName}" is a placeholder of a GuardDuty sample finding`);
  }
  // A caller of another account: whatever its type, a principal of its name in our account is not it (and is never read).
  const caller = callerAccountOf(finding);
  if (caller.kind === 'outside') return { ...manual('outside-account', caller.why), callerAccountId: caller.accountId };
  const instanceCredentials = isInstanceCredentialExfiltration(finding.type);
  if (instanceCredentials || userType === 'AssumedRole' || userType === 'Role') {
    if (userName === null || !IAM_NAME.test(userName)) {
      return manual('unknown', `the role name (userName ${JSON.stringify(userName)}) is not a valid IAM role name`);
    }
    const sessionName = sessionNameOf(principalId);
    const identityCenter = identityCenterOf(userName, sessionName);
    return { kind: 'role', roleName: userName, sessionName, accessKeyId, principalId, userType, instanceCredentials, identityCenter };
  }
  switch (userType) {
    case 'IAMUser':
      if (userName === null || !IAM_NAME.test(userName)) {
        return manual('unknown', `userName ${JSON.stringify(userName)} is not a valid IAM user name`);
      }
      return { kind: 'iam-user', userName, accessKeyId, keyKind: keyKindOf(accessKeyId), principalId };
    case 'Root':
      return manual('root', 'userType is Root: the account root user');
    case 'AWSService':
      return manual('aws-service', 'userType is AWSService: an AWS service acting for the account');
    case 'Federated':
      return manual('federated', `userType is ${userType}: a session of an identity from an external identity provider`);
    case 'FederatedUser':
      return federatedUserOf(finding, userName, principalId, accessKeyId);
    default:
      return manual('unknown', `userType ${JSON.stringify(userType)} is not one the playbook knows how to revoke`);
  }
}
