import { canonicalJson, hashedStepOf, type HashedStep } from './plan-hash';

/*
 * When an approval arrives the resource is read again and the plan made
 * again. The approval covers exactly the changes it was shown: a step now
 * planned that is not, byte for byte (id, kind, action, target, parameters),
 * one of the approved steps adds or widens a change, and the responder asks
 * again instead of acting. Fewer steps (an interface gone since) narrow the
 * plan: the approved steps still planned run.
 *
 * One exception to byte for byte: a list of tags (`[{Key, Value}, ...]`,
 * what ec2:CreateTags writes) is covered by an approved list with every one
 * of its keys, whatever the values. The responder's own tags carry values
 * that differ on every planning without the change being any other (the
 * isolation time; the original groups of each interface, one key per
 * interface), and fewer keys (an interface gone) write less. A key not shown
 * still widens the change. Every other value compares exactly.
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
  const coveredBy = (step: HashedStep) =>
    shown.has(canonicalJson(hashedStepOf(step))) ||
    approved.some((a) => a.id === step.id && a.kind === step.kind && a.action === step.action && a.target === step.target && noWider(step.parameters, a.parameters));
  const uncovered = replanned.filter((step) => !coveredBy(step)).map((step) => step.id);
  return { covered: uncovered.length === 0, uncovered };
}

type TagList = readonly { readonly Key: string; readonly Value?: unknown }[];

function isTagList(value: unknown): value is TagList {
  return Array.isArray(value) && value.length > 0 && value.every((t) => t !== null && typeof t === 'object' && typeof (t as { Key?: unknown }).Key === 'string' && Object.keys(t as object).every((k) => k === 'Key' || k === 'Value'));
}

/** `now` changes nothing `shown` did not: equal, or (tag lists, at any depth) no key that was not shown. */
function noWider(now: unknown, shown: unknown): boolean {
  if (canonicalJson(now) === canonicalJson(shown)) return true;
  if (isTagList(now) && isTagList(shown)) {
    const keys = new Set(shown.map((t) => t.Key));
    return now.every((t) => keys.has(t.Key));
  }
  if (Array.isArray(now) && Array.isArray(shown)) return now.length === shown.length && now.every((member, i) => noWider(member, shown[i]));
  if (now !== null && shown !== null && typeof now === 'object' && typeof shown === 'object' && !Array.isArray(now) && !Array.isArray(shown)) {
    const a = Object.entries(now).filter(([, v]) => v !== undefined);
    const b = Object.entries(shown).filter(([, v]) => v !== undefined);
    const shownByKey = new Map(b);
    return a.length === b.length && a.every(([key, member]) => shownByKey.has(key) && noWider(member, shownByKey.get(key)));
  }
  return false;
}
