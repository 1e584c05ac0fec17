import { canonicalJson, hashedStepOf, type HashedStep } from './plan-hash';

/*
 * When an approval arrives the resource is read again and the plan made
 * again. The approval covers exactly the changes it was shown: a step now
 * planned that is not, byte for byte (id, kind, action, target, parameters),
 * one of the approved steps adds or widens a change, and the responder asks
 * again instead of acting. Fewer steps (an interface gone since) narrow the
 * plan: the approved steps still planned run.
 */

/**
 * The approved steps as they read once the first act has run: a value the plan showed as `<output of STEP>` (a
 * security group the first act created) is the value that step produced. Read again, the resource names that group
 * itself: the same change, not another. A placeholder whose step produced nothing (or no string) stays as it is.
 */
export function withFirstActOutputs(approved: readonly HashedStep[], outputs: Readonly<Record<string, unknown>>): HashedStep[] {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/<output of ([^>]+)>/g, (whole, step: string) => {
        const output = outputs[step];
        return typeof output === 'string' ? output : whole;
      });
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, resolve(member)]));
    return value;
  };
  return approved.map((step) => ({ ...hashedStepOf(step), target: resolve(step.target) as string, parameters: resolve(step.parameters) as HashedStep['parameters'] }));
}

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
