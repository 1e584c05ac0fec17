import { canonicalJson, hashedStepOf, type HashedStep } from './plan-hash';

/*
 * When an approval arrives the resource is read again and the plan made
 * again. The approval covers exactly the changes it was shown: a step now
 * planned that is not, byte for byte (id, kind, action, target, parameters),
 * one of the approved steps adds or widens a change, and the responder asks
 * again instead of acting. Fewer steps (an interface gone since) narrow the
 * plan: the approved steps still planned run.
 */

export interface ReplanCheck {
  readonly covered: boolean;
  /** The steps of the new plan the approval did not cover (added, or changed in target or parameters). */
  readonly uncovered: readonly string[];
}

export function checkReplan(approved: readonly HashedStep[], replanned: readonly HashedStep[]): ReplanCheck {
  const shown = new Set(approved.map((step) => canonicalJson(hashedStepOf(step))));
  const uncovered = replanned.filter((step) => !shown.has(canonicalJson(hashedStepOf(step)))).map((step) => step.id);
  return { covered: uncovered.length === 0, uncovered };
}
