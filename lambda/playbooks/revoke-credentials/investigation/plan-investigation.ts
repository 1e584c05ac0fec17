import { TimeBudget } from '../../../investigation/budget';
import { INVESTIGATION_LIMITS } from '../../../investigation/limits';
import type { PlannedStep } from '../../../plan/types';
import type { IamEntity, Lookup } from '../facts';
import type { KeyKind } from '../principal';
import { keyEventsStep } from './key-events-step';
import { keyLastUsedStep } from './key-last-used-step';
import { servicesAccessedStep, type InvestigatedPrincipal } from './services-accessed-step';

/*
 * The read-only investigation that follows containment: what the key and
 * its principal were used for. Its steps share one time budget and one
 * stage, after every containment step, so they never delay it; they need
 * nothing from it either, so they also run when containment failed or was
 * blocked (dry-run).
 */

export interface InvestigationTarget {
  readonly accessKeyId: string | null;
  readonly keyKind: KeyKind;
  /** null: the user or role no longer exists; only the key's CloudTrail events are left to read. */
  readonly principal: InvestigatedPrincipal | null;
  readonly region: string | null;
  readonly planningTime: Date;
  /** The stage after the last containment step. */
  readonly stage: number;
}

export function planInvestigation(target: InvestigationTarget): PlannedStep[] {
  const { accessKeyId, keyKind, principal, stage } = target;
  const budget = new TimeBudget(INVESTIGATION_LIMITS.budgetMs);
  // A key id that is neither AKIA nor ASIA is nothing IAM or CloudTrail can be asked about.
  const key = accessKeyId !== null && keyKind !== 'unrecognised' ? accessKeyId : null;
  const steps: PlannedStep[] = [];
  if (key !== null && principal !== null) steps.push(keyLastUsedStep({ accessKeyId: key, keyKind, stage, budget }));
  if (principal !== null) steps.push(servicesAccessedStep({ principal, stage, budget }));
  if (key !== null) steps.push(keyEventsStep({ accessKeyId: key, region: target.region, planningTime: target.planningTime, stage, budget }));
  return steps;
}

/** The stage after the given steps (1 when there are none). */
export function stageAfter(steps: readonly PlannedStep[]): number {
  return Math.max(0, ...steps.map((s) => s.stage)) + 1;
}

/** The principal as the investigation sees it: its ARN when it was read, null when it no longer exists. */
export function investigatedPrincipal(label: string, lookup: Lookup<IamEntity>, call: string): InvestigatedPrincipal | null {
  switch (lookup.state) {
    case 'found':
      return lookup.value.arn ? { label, arn: lookup.value.arn } : { label, arn: null, because: `${call} returned no ARN` };
    case 'missing':
      return null;
    case 'failed':
      return { label, arn: null, because: `${call} failed (${lookup.error.code})` };
    case 'not-read':
      return { label, arn: null, because: 'the plan was made from the finding alone' };
  }
}
