import type { PlanningInput, PlaybookPlan } from '../types';
import type { RevokeCredentialsFacts } from './facts';
import { planForFederatedUser } from './plan-federated-user';
import { planForManual } from './plan-manual';
import { planForRole } from './plan-role';
import { planForUser } from './plan-user';

/** One plan per kind of principal; each branch lives in its own module. */
export function planRevokeCredentials(input: PlanningInput<RevokeCredentialsFacts>): PlaybookPlan {
  const { facts } = input;
  switch (facts.kind) {
    case 'iam-user':
      return planForUser(input, facts);
    case 'role':
      return planForRole(input, facts);
    case 'federated-user':
      return planForFederatedUser(input, facts);
    case 'manual':
      return planForManual(facts, {
        accountId: input.finding.accountId ?? null,
        region: input.finding.region ?? null,
        since: input.finding.service?.eventFirstSeen ?? null,
        now: input.now,
      });
  }
}
