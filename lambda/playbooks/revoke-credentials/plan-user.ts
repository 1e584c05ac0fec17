import type { PlannedStep } from '../../plan/types';
import type { PlanningInput, PlaybookPlan } from '../types';
import { deactivateAccessKeyStep } from './deactivate-access-key-step';
import { foundValue, type AccessKeyState, type RevokeCredentialsFacts, type UserFacts } from './facts';
import { checkPrincipal, principalInvestigation } from './checked-principal';
import { revokeUserSessionsStep } from './revoke-user-sessions-step';
import { afterKeyRecord, keyRestoreRecordStep } from './restore-record-step';

/*
 * An IAM user's credentials: deactivate the exact long-term key the finding
 * names (never the user's other keys), then cut the user's sessions. Keys
 * minted by GetSessionToken (ASIA...) cannot be deactivated; the long-term
 * key behind them is for a person to find.
 */

interface KeyPlan {
  readonly step: PlannedStep | null;
  readonly warnings: string[];
  /** Why the sessions must be revoked, given what happens to the key. */
  readonly sessionsBecause: string;
}

function describeKeys(keys: readonly AccessKeyState[]): string {
  return keys.length === 0 ? 'none' : keys.map((k) => `${k.accessKeyId} (${k.status})`).join(', ');
}

function planLongTermKey(facts: UserFacts, accessKeyId: string, userLabel: string): KeyPlan {
  const { userName } = facts.principal;
  const { keys } = facts;
  const sessionsBecause =
    `sessions already obtained with key ${accessKeyId} stay valid after it is deactivated; ` +
    'this step runs after the deactivation, so it also covers sessions obtained until then';
  const misuse = `the finding shows credentials of IAM user ${userName} being misused`;
  const step = (statusAtPlanning: string | null) => deactivateAccessKeyStep({ userName, accessKeyId, userLabel, statusAtPlanning, stage: 1 });
  switch (keys.state) {
    case 'found': {
      const key = keys.value.find((k) => k.accessKeyId === accessKeyId);
      const others = keys.value.filter((k) => k.accessKeyId !== accessKeyId);
      const othersWarning =
        others.some((k) => k.status === 'Active')
          ? [`the other access keys of IAM user ${userName} are left as they are: ${describeKeys(others)}. Deactivate them by hand if they are compromised too.`]
          : [];
      if (key) return { step: step(key.status), warnings: othersWarning, sessionsBecause };
      return {
        step: null,
        warnings: [
          `access key ${accessKeyId} is not one of IAM user ${userName}'s keys (ListAccessKeys lists: ${describeKeys(keys.value)}), so it is not deactivated: ` +
            'it was deleted already or belongs to another principal. Find out which in CloudTrail.',
        ],
        sessionsBecause: misuse,
      };
    }
    case 'missing':
      return {
        step: null,
        warnings: [`IAM user ${userName} disappeared while it was being read (ListAccessKeys: ${keys.error.code}): access key ${accessKeyId} is not deactivated.`],
        sessionsBecause: misuse,
      };
    case 'failed':
      return {
        step: step(null),
        warnings: [
          `the access keys of IAM user ${userName} could not be listed (ListAccessKeys: ${keys.error.code}): whether ${accessKeyId} is still active was not checked. ` +
            'UpdateAccessKey names the user, so AWS refuses it if the key is not theirs.',
        ],
        sessionsBecause,
      };
    case 'not-read':
      return { step: step(null), warnings: [], sessionsBecause };
  }
}

function planTemporaryKey(facts: UserFacts, accessKeyId: string): KeyPlan {
  const { userName } = facts.principal;
  const keys = foundValue(facts.keys);
  const active = keys?.filter((k) => k.status === 'Active') ?? [];
  const candidates = keys === undefined ? '' : active.length > 0 ? ` Active keys of the user now: ${describeKeys(active)}.` : ' The user has no active access key now.';
  return {
    step: null,
    warnings: [
      `${accessKeyId} is a temporary key (from GetSessionToken or a console sign-in): it cannot be deactivated, so only the sessions of IAM user ${userName} are revoked. ` +
        `The long-term key that minted it is unknown: find it in CloudTrail (the GetSessionToken call that returned ${accessKeyId}) and deactivate it by hand.${candidates}`,
      `if IAM user ${userName} signs in to the console, reset its password and check its MFA devices.`,
    ],
    sessionsBecause: `the finding shows temporary key ${accessKeyId} of IAM user ${userName} being misused, and temporary keys cannot be deactivated`,
  };
}

function planKey(facts: UserFacts, userLabel: string): KeyPlan {
  const { accessKeyId, keyKind, userName } = facts.principal;
  if (keyKind === 'long-term' && accessKeyId !== null) return planLongTermKey(facts, accessKeyId, userLabel);
  if (keyKind === 'temporary' && accessKeyId !== null) return planTemporaryKey(facts, accessKeyId);
  return {
    step: null,
    warnings: [
      `access key id ${JSON.stringify(accessKeyId)} is neither a long-term (AKIA...) nor a temporary (ASIA...) key id: no key is deactivated. ` +
        `Find the key IAM user ${userName} used in CloudTrail and deactivate it by hand.`,
    ],
    sessionsBecause: `the finding shows credentials of IAM user ${userName} being misused`,
  };
}

function userResource(facts: UserFacts): Record<string, unknown> {
  const { principal, user, keys } = facts;
  const entity = foundValue(user);
  const listed = foundValue(keys);
  const key = listed?.find((k) => k.accessKeyId === principal.accessKeyId);
  // Only a long-term key has a status; a temporary one is never in ListAccessKeys.
  const keyStatus = listed === undefined || principal.keyKind !== 'long-term' ? null : (key?.status ?? 'not a key of this user');
  return {
    principal: 'iam-user',
    userType: 'IAMUser',
    userName: principal.userName,
    principalId: principal.principalId,
    accessKeyId: principal.accessKeyId,
    keyKind: principal.keyKind,
    userState: user.state,
    arn: entity?.arn ?? null,
    path: entity?.path ?? null,
    keyStatus,
    otherKeys: listed?.filter((k) => k.accessKeyId !== principal.accessKeyId).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status })) ?? null,
  };
}

export function planForUser(input: PlanningInput<RevokeCredentialsFacts>, facts: UserFacts): PlaybookPlan {
  const { userName } = facts.principal;
  const { user } = facts;
  const { entity, ruling, verdicts, notTheCaller } = checkPrincipal(input, 'user', userName, user, { principalId: facts.principal.principalId });
  // The user's tags are reported, but never exempt it (see exempt-tag.ts): credentials.exemptPrincipals does.
  const base = { verdicts, resourceTags: entity?.tags ?? {}, resource: userResource(facts) };

  if (user.state === 'missing') {
    return {
      ...base,
      steps: principalInvestigation(input, { accessKeyId: facts.principal.accessKeyId, keyKind: facts.principal.keyKind }, { kind: 'user', name: userName, lookup: user }, []),
      warnings: [
        `IAM user ${userName} no longer exists (GetUser: ${user.error.code}): there is no key to deactivate and no user to attach the revoke policy to. ` +
          'Find out in CloudTrail who deleted it.',
      ],
    };
  }
  // Not the caller (another principal of the same name): nothing at all is planned against it, not even its investigation.
  if (notTheCaller) return { ...base, steps: [], warnings: [...notTheCaller] };
  const offline = user.state === 'not-read' ? [`planned from the finding alone: IAM user ${userName}, its tags and its access keys were not read.`] : [];
  // A protected user gets no deactivation and no revocation step, not ones that a verdict blocks: the plan says what to do by hand.
  if (ruling.protection) {
    return { ...base, steps: principalInvestigation(input, { accessKeyId: facts.principal.accessKeyId, keyKind: facts.principal.keyKind }, { kind: 'user', name: userName, lookup: user }, []), warnings: [...offline, ruling.protection.manualStep] };
  }

  const userLabel = entity?.arn ?? `IAM user ${userName}`;
  const key = planKey(facts, userLabel);
  const sessions = revokeUserSessionsStep({
    userName,
    userLabel,
    planningTime: input.now,
    // After the key step when there is one: sessions minted until the key dies must be covered too.
    stage: key.step ? 2 : 1,
    because: key.sessionsBecause,
  });
  const listed = foundValue(facts.keys)?.find((k) => k.accessKeyId === facts.principal.accessKeyId);
  const record = keyRestoreRecordStep({
    accountId: input.finding.accountId ?? null,
    accessKeyId: facts.principal.accessKeyId,
    incidentId: input.incidentId,
    findingId: input.finding.id,
    region: input.finding.region ?? null,
    ...(key.step && listed ? { accessKey: { userName, status: listed.status } } : {}),
    principal: { kind: 'user', name: userName },
  });
  const containment = [record, ...afterKeyRecord(key.step ? [key.step, sessions] : [sessions])];
  return { ...base, steps: [...containment, ...principalInvestigation(input, { accessKeyId: facts.principal.accessKeyId, keyKind: facts.principal.keyKind }, { kind: 'user', name: userName, lookup: user }, containment)], warnings: [...offline, ...key.warnings] };
}
