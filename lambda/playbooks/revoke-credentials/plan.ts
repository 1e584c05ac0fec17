import type { PlanningInput, PlaybookPlan } from '../types';
import type { RevokeCredentialsFacts } from './facts';
import { planForFederatedUser } from './plan-federated-user';
import { planForManual } from './plan-manual';
import { planForRole } from './plan-role';
import { planForUser } from './plan-user';
import { describeS3Activity, s3ActivityOf } from './s3-activity';

/** One plan per kind of principal; each branch lives in its own module. */
function planForPrincipal(input: PlanningInput<RevokeCredentialsFacts>): PlaybookPlan {
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

/** The principal's plan; for an S3 data finding, with what the principal did to which bucket recorded beside it. */
export function planRevokeCredentials(input: PlanningInput<RevokeCredentialsFacts>): PlaybookPlan {
  const plan = planForPrincipal(input);
  const s3Activity = s3ActivityOf(input.finding);
  if (s3Activity === null) return plan;
  return { ...plan, resource: { ...plan.resource, s3Activity }, warnings: [...plan.warnings, describeS3Activity(s3Activity)] };
}
