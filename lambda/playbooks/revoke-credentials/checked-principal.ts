import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import type { PlanningInput } from '../types';
import { foundValue, type IamEntity, type Lookup, type RevokeCredentialsFacts } from './facts';
import { investigatedPrincipal, planInvestigation, stageAfter } from './investigation/plan-investigation';
import type { KeyKind } from './principal';
import { exemptPrincipalVerdict, principalProtection, unreadableVerdict } from './protection';

/*
 * What every principal plan (a user's, a role's, a federated user's issuer)
 * checks before it changes the principal it read, and the investigation it
 * plans after: one place, so the protections cannot differ by principal type.
 */

export interface CheckedPrincipal {
  /** What GetUser / GetRole returned, when it found the principal. */
  readonly entity: IamEntity | undefined;
  readonly ruling: ReturnType<typeof principalProtection>;
  /** The responder's own roles and protected principals, the exemptions, and a principal that could not be read. */
  readonly verdicts: GuardVerdict[];
}

const READ_CALL = { user: 'GetUser', role: 'GetRole' } as const;

export function checkPrincipal(input: PlanningInput<RevokeCredentialsFacts>, kind: 'user' | 'role', name: string, lookup: Lookup<IamEntity>): CheckedPrincipal {
  const entity = foundValue(lookup);
  const principal = { kind, name, accountId: input.finding.accountId ?? null };
  const ruling = principalProtection({ ...principal, path: entity?.path ?? null }, input);
  return { entity, ruling, verdicts: [ruling.verdict, exemptPrincipalVerdict(principal, input), ...unreadableVerdict(`IAM ${kind} ${name}`, lookup, READ_CALL[kind])] };
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
