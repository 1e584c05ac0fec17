import { CALLER_OUTSIDE_ACCOUNT, PRINCIPAL_MISMATCH } from '../../guards/acting-principal';
import { block, pass, type GuardVerdict } from '../../guards/types';
import type { Finding } from '../../finding/schema';
import { REVOKE_POLICY_NAME } from '../../iam/revoke-sessions';
import { untrusted } from '../../text/untrusted';
import type { IamEntity, Lookup } from './facts';

/*
 * Is the principal read the one that acted? A finding names the caller by
 * name (accessKeyDetails.userName), and a name is only unique inside one
 * account, and only for as long as nobody deletes and re-creates the
 * principal. So before anything is revoked:
 *
 * - the caller's account must be the finding's: GuardDuty names another one
 *   in service.action.awsApiCallAction.remoteAccountDetails (S3 data events
 *   come from other accounts through bucket policies, a cross-account role);
 * - IAM's unique id of the principal read must be the one the finding gives:
 *   principalId is the user's id (AIDA...) for an IAM user, and
 *   "<role id>:<session name>" (AROA...) for a role's session.
 *
 * Either refusal is a decision (a retry reads the same ids): nothing is
 * revoked, and the plan gives the manual steps for the real caller.
 */

export type PrincipalKind = 'user' | 'role';

const ID_NAME: Readonly<Record<PrincipalKind, string>> = { user: 'UserId', role: 'RoleId' };
const READ_CALL: Readonly<Record<PrincipalKind, string>> = { user: 'GetUser', role: 'GetRole' };

/** The unique id a finding's principalId gives for a user (all of it) or a role (before the session name). */
export function uniqueIdInPrincipalId(kind: PrincipalKind, principalId: string | null): string | null {
  if (!principalId) return null;
  if (kind === 'user') return principalId;
  const separator = principalId.indexOf(':');
  return separator < 0 ? principalId : principalId.slice(0, separator) || null;
}

export interface PrincipalIdentity {
  readonly verdict: GuardVerdict;
  /** Set when the principal read is not shown to be the caller: the plan revokes nothing and gives these steps. */
  readonly manualSteps?: readonly string[];
}

function refused(reason: string, manualSteps: string[]): PrincipalIdentity {
  return { verdict: block(PRINCIPAL_MISMATCH, reason), manualSteps };
}

/**
 * Compares IAM's unique id of the principal read with the finding's principalId.
 * A finding with no principalId is refused even offline: nothing could ever be compared.
 */
export function principalIdentity(
  principal: { readonly kind: PrincipalKind; readonly name: string; readonly accountId: string | null; readonly accessKeyId: string | null },
  principalId: string | null,
  lookup: Lookup<IamEntity>,
): PrincipalIdentity {
  const { kind, name } = principal;
  const label = `IAM ${kind} ${name}`;
  const expected = uniqueIdInPrincipalId(kind, principalId);
  const findCaller = callerSteps(principal);
  if (expected === null) {
    return refused(
      `the finding gives no principalId for ${label}, so whether the ${kind} of that name in account ${principal.accountId ?? '(unknown)'} is the caller cannot be verified; nothing is revoked`,
      [`MANUAL: the finding names ${label} but gives no principalId: the responder cannot tell it from another principal of the same name, so it revokes nothing.`, ...findCaller],
    );
  }
  switch (lookup.state) {
    case 'not-read':
      return { verdict: pass(PRINCIPAL_MISMATCH, `planned offline: ${ID_NAME[kind]} of ${label} not read, so not yet compared with principalId ${untrusted(principalId)}; the response compares them before any change`) };
    case 'missing':
    case 'failed':
      return { verdict: pass(PRINCIPAL_MISMATCH, `${label} was not read (${READ_CALL[kind]}: ${lookup.error.code}), so its ${ID_NAME[kind]} is not compared; nothing is revoked without it`) };
    case 'found':
      break;
  }
  const actual = lookup.value.id;
  if (actual === null) {
    return refused(`${READ_CALL[kind]} returned no ${ID_NAME[kind]} for ${label}, so it cannot be shown to be the caller (principalId ${untrusted(principalId)}); nothing is revoked`, [
      `MANUAL: ${label} could not be shown to be the caller: IAM returned no ${ID_NAME[kind]}. Nothing is revoked.`,
      ...findCaller,
    ]);
  }
  if (actual !== expected) {
    return refused(
      `principalId ${untrusted(principalId)} is not ${label} of account ${principal.accountId ?? '(unknown)'} (its ${ID_NAME[kind]} is ${actual}): ` +
        `the caller is another principal of the same name (of another account, or one deleted and created again); the ${kind} of our account is not revoked`,
      [
        `MANUAL: the finding's caller (principalId ${untrusted(principalId)}) is NOT ${label} of account ${principal.accountId ?? '(unknown)'} (${ID_NAME[kind]} ${actual}), ` +
          `though it has the same name. The responder revokes nothing: revoking ${label} would cut off a principal that did not act, and leave the caller's sessions working.`,
        ...findCaller,
      ],
    );
  }
  return { verdict: pass(PRINCIPAL_MISMATCH, `${label} is the caller: its ${ID_NAME[kind]} ${actual} is the one principalId names`) };
}

function callerSteps(principal: { readonly kind: PrincipalKind; readonly accountId: string | null; readonly accessKeyId: string | null }): string[] {
  const key = principal.accessKeyId ? untrusted(principal.accessKeyId) : '(the finding names none)';
  const revoke =
    principal.kind === 'user'
      ? `aws iam update-access-key --status Inactive on its key, and aws iam put-user-policy --policy-name ${REVOKE_POLICY_NAME} (the IAM console's "Revoke active sessions" for roles)`
      : `"Revoke active sessions" on the role in the IAM console (policy ${REVOKE_POLICY_NAME})`;
  return [
    `MANUAL: find the caller in CloudTrail of account ${principal.accountId ?? '(the finding\'s account)'}: the events made with access key ${key} name it in userIdentity (arn, principalId, accountId). ` +
      `Then, in the caller's own account: ${revoke}.`,
  ];
}

/** What remoteAccountDetails says of the caller's account. */
export type CallerAccount =
  | { readonly kind: 'own' }
  | { readonly kind: 'outside'; readonly accountId: string | null; readonly why: string };

const ACCOUNT_ID = /^\d{12}$/;

/**
 * The caller's account, from service.action.awsApiCallAction.remoteAccountDetails:
 * another account than the finding's, affiliated false, or details that do not
 * parse are all "outside" (fail closed). No details: the caller is of the
 * finding's account as far as GuardDuty says (the unique id is still compared).
 */
export function callerAccountOf(finding: Finding): CallerAccount {
  const remote = finding.service?.action?.awsApiCallAction?.remoteAccountDetails;
  if (remote === undefined || remote === null) return { kind: 'own' };
  const own = finding.accountId ?? null;
  const raw = remote.accountId ?? null;
  const accountId = raw !== null && ACCOUNT_ID.test(raw) ? raw : null;
  const shown = raw === null ? '(not named)' : untrusted(raw);
  if (remote.unparsed === true) return { kind: 'outside', accountId: null, why: 'remoteAccountDetails of the API call does not parse, so the caller\'s account is not known' };
  if (accountId === null) return { kind: 'outside', accountId: null, why: `remoteAccountDetails names the caller's account as ${shown}, not an account id` };
  if (accountId !== own) {
    const affiliated = remote.affiliated === true ? 'affiliated with our GuardDuty environment' : 'not affiliated with our GuardDuty environment';
    return { kind: 'outside', accountId, why: `the caller is of account ${accountId} (${affiliated}), not of the finding's account ${own ?? '(unknown)'}` };
  }
  if (remote.affiliated === false) {
    return { kind: 'outside', accountId, why: `remoteAccountDetails names account ${accountId} but says it is not affiliated with our GuardDuty environment` };
  }
  return { kind: 'own' };
}

export function callerOutsideVerdict(why: string): GuardVerdict {
  return block(CALLER_OUTSIDE_ACCOUNT, `${why}: a principal of the same name in the finding's account is not the caller, so nothing is revoked`);
}

/** The pass verdict every principal plan reports: remoteAccountDetails names no other account. */
export function callerInAccountVerdict(finding: Finding): GuardVerdict {
  const named = finding.service?.action?.awsApiCallAction?.remoteAccountDetails;
  return pass(
    CALLER_OUTSIDE_ACCOUNT,
    named ? `remoteAccountDetails names the finding's own account ${finding.accountId ?? '(unknown)'}` : 'the finding names no remote account of the caller (remoteAccountDetails)',
  );
}
