import { accessKeyOf } from '../../finding/accessors';
import type { Finding } from '../../finding/schema';

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
}

/** Principals the playbook never acts on: the report gives the manual steps. */
export type ManualPrincipalKind = 'root' | 'aws-service' | 'federated' | 'unknown';

export interface ManualPrincipal {
  readonly kind: ManualPrincipalKind;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly principalId: string | null;
  readonly accessKeyId: string | null;
  /** Why the principal was classified so, in words for the report. */
  readonly why: string;
}

export type Principal = IamUserPrincipal | RolePrincipal | ManualPrincipal;

// IAM user and role names: 1-64 of letters, digits and +=,.@_-. Anything else is not a name we can act on.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const LONG_TERM_KEY = /^AKIA[A-Z0-9]{12,124}$/;
const TEMPORARY_KEY = /^ASIA[A-Z0-9]{12,124}$/;
// Sample findings name placeholder principals; acting on them would act on a name someone may really use.
const PLACEHOLDER = /^GeneratedFinding/;

export function keyKindOf(accessKeyId: string | null): KeyKind {
  if (accessKeyId && LONG_TERM_KEY.test(accessKeyId)) return 'long-term';
  if (accessKeyId && TEMPORARY_KEY.test(accessKeyId)) return 'temporary';
  return 'unrecognised';
}

export function isInstanceCredentialExfiltration(findingType: string): boolean {
  return findingType.startsWith('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration');
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
  const instanceCredentials = isInstanceCredentialExfiltration(finding.type);
  if (instanceCredentials || userType === 'AssumedRole' || userType === 'Role') {
    if (userName === null || !IAM_NAME.test(userName)) {
      return manual('unknown', `the role name (userName ${JSON.stringify(userName)}) is not a valid IAM role name`);
    }
    return { kind: 'role', roleName: userName, sessionName: sessionNameOf(principalId), accessKeyId, principalId, userType, instanceCredentials };
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
    case 'FederatedUser':
      return manual('federated', `userType is ${userType}: a session of an identity from an external identity provider`);
    default:
      return manual('unknown', `userType ${JSON.stringify(userType)} is not one the playbook knows how to revoke`);
  }
}
