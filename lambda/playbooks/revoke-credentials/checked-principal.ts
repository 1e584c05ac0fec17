import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import type { PlanningInput } from '../types';
import { callerInAccountVerdict, principalIdentity } from './acting-principal';
import { foundValue, type IamEntity, type Lookup, type RevokeCredentialsFacts } from './facts';
import { investigatedPrincipal, planInvestigation, stageAfter } from './investigation/plan-investigation';
import type { KeyKind } from './principal';
import { exemptPrincipalVerdict, manualResponseVerdict, principalProtection, unreadableVerdict } from './protection';

/*
 * What every principal plan (a user's, a role's, a federated user's issuer)
 * checks before it changes the principal it read, and the investigation it
 * plans after: one place, so the protections cannot differ by principal type.
 * The first check: the principal read is the one that acted (its unique id is
 * the finding's principalId, acting-principal.ts); a principal that only
 * shares the caller's name is never revoked.
 */

/**
 * What ties the principal read to the caller beyond its name: the finding's
 * principalId; or nothing, for the IAM user that issued a federated session
 * (the finding gives only "<account>:<session name>", whose account
 * classifyPrincipal holds to the finding's, and a user name is unique in
 * its account).
 */
export type CallerIdentity = { readonly principalId: string | null } | 'federated-session-issuer';

export interface CheckedPrincipal {
  /** What GetUser / GetRole returned, when it found the principal. */
  readonly entity: IamEntity | undefined;
  readonly ruling: ReturnType<typeof principalProtection>;
  /** The responder's own roles and protected principals, the exemptions, and a principal that could not be read. */
  readonly verdicts: GuardVerdict[];
  /** Set when the principal read is not shown to be the caller: the plan holds no step at all, and gives these manual steps. */
  readonly notTheCaller?: readonly string[];
}

const READ_CALL = { user: 'GetUser', role: 'GetRole' } as const;

export function checkPrincipal(
  input: PlanningInput<unknown>,
  kind: 'user' | 'role',
  name: string,
  lookup: Lookup<IamEntity>,
  caller: CallerIdentity,
): CheckedPrincipal {
  const entity = foundValue(lookup);
  const principal = { kind, name, accountId: input.finding.accountId ?? null };
  const ruling = principalProtection({ ...principal, path: entity?.path ?? null }, input);
  const verdicts = [ruling.verdict, exemptPrincipalVerdict(principal, input), ...unreadableVerdict(`IAM ${kind} ${name}`, lookup, READ_CALL[kind])];
  // Callers of another account never get here: classifyPrincipal makes them manual (plan-manual.ts).
  verdicts.unshift(callerInAccountVerdict(input.finding));
  if (caller === 'federated-session-issuer') return { entity, ruling, verdicts };
  const accessKeyId = input.finding.resource?.accessKeyDetails?.accessKeyId ?? null;
  const identity = principalIdentity({ ...principal, accessKeyId }, caller.principalId, lookup);
  verdicts.unshift(identity.verdict);
  if (!identity.manualSteps) return { entity, ruling, verdicts };
  return { entity, ruling, verdicts: [...verdicts, manualResponseVerdict(identity.verdict.reason)], notTheCaller: identity.manualSteps };
}

/** Read-only steps after containment: what the key and the principal were used for. */
export function principalInvestigation(
  input: PlanningInput<RevokeCredentialsFacts>,
  key: { readonly accessKeyId: string | null; readonly keyKind: KeyKind },
  principal: { readonly kind: 'user' | 'role'; readonly name: string; readonly lookup: Lookup<IamEntity> },
  containment: readonly PlannedStep[],
): PlannedStep[] {
  return planInvestigation({
    accessKeyId: key.accessKeyId,
    keyKind: key.keyKind,
    principal: investigatedPrincipal(`IAM ${principal.kind} ${principal.name}`, principal.lookup, READ_CALL[principal.kind]),
    region: input.finding.region ?? null,
    planningTime: input.now,
    stage: stageAfter(containment),
  });
}
