/*
 * How one field of the finding as delivered is compared with the same field
 * of GuardDuty's copy (compared-fields.ts says which fields). A rule reads
 * the delivered (camelCase, parsed) side and the held (SDK, PascalCase) side
 * with its own accessor, so the compiler checks each held name against the
 * SDK's types. The rules only compare: they never decide what is acted on.
 *
 * Absent in both is equal; a value on one side only is a difference, as is
 * any other value (null and undefined count as absent). A list is compared
 * item by item, in order (a playbook acts on the first, or on exactly one,
 * so the order is part of what is acted on); an empty list counts as absent
 * (nothing in it can be acted on either way).
 */

export interface Difference {
  readonly field: string;
  readonly claimed: unknown;
  readonly held: unknown;
}

export type Comparable = string | number | boolean | null | undefined;

/** One comparison: the differences under `at`, the path of what holds the field. */
export interface FieldRule<C, H> {
  differences(claimed: C | undefined, held: H | undefined, at: string): Difference[];
}

type Maybe<T> = T | null | undefined;

function pathOf(at: string, name: string): string {
  if (name === '') return at;
  return at === '' ? name : `${at}.${name}`;
}

function norm(value: Comparable): string | number | boolean | null {
  return value === undefined ? null : value;
}

function differ(field: string, claimed: Comparable, held: Comparable): Difference[] {
  const a = norm(claimed);
  const b = norm(held);
  return a === b ? [] : [{ field, claimed: a, held: b }];
}

function orUndefined<T>(value: Maybe<T>): T | undefined {
  return value ?? undefined;
}

/** A scalar field: the delivered value must equal GuardDuty's. */
export function field<C, H>(name: string, claimed: (c: C) => Comparable, held: (h: H) => Comparable): FieldRule<C, H> {
  return {
    differences: (c, h, at) => differ(pathOf(at, name), c === undefined ? undefined : claimed(c), h === undefined ? undefined : held(h)),
  };
}

/**
 * The rule builders for one delivered shape C and its held shape H. Nested
 * rules are written in a callback given the builders of the inner shapes,
 * so the compiler types every accessor without a type argument in the list.
 */
export interface Builders<C, H> {
  field(name: string, claimed: (c: C) => Comparable, held: (h: H) => Comparable): FieldRule<C, H>;
  /** An object: its rules are applied to the delivered object and GuardDuty's (absent on one side: every field there is absent). */
  within<CI, HI>(name: string, claimed: (c: C) => Maybe<CI>, held: (h: H) => Maybe<HI>, rules: (inner: Builders<CI, HI>) => readonly FieldRule<CI, HI>[]): FieldRule<C, H>;
  /** A list of objects: the same number, and each item's rules equal to GuardDuty's item at the same position. */
  eachOf<CI, HI>(
    name: string,
    claimed: (c: C) => Maybe<readonly Maybe<CI>[]>,
    held: (h: H) => Maybe<readonly Maybe<HI>[]>,
    rules: (item: Builders<CI, HI>) => readonly FieldRule<CI, HI>[],
  ): FieldRule<C, H>;
  /** A list of scalars: the same number, and each value equal to GuardDuty's at the same position. */
  valuesOf(name: string, claimed: (c: C) => Maybe<readonly Comparable[]>, held: (h: H) => Maybe<readonly Comparable[]>): FieldRule<C, H>;
}

function countDifference(path: string, claimed: number, held: number): Difference[] {
  return claimed === held ? [] : [{ field: `${path}.length`, claimed, held }];
}

function builders<C, H>(): Builders<C, H> {
  return {
    field,
    within: (name, claimed, held, rules) => {
      const inner = rules(builders());
      return {
        differences: (c, h, at) => {
          const ci = c === undefined ? undefined : orUndefined(claimed(c));
          const hi = h === undefined ? undefined : orUndefined(held(h));
          return inner.flatMap((rule) => rule.differences(ci, hi, pathOf(at, name)));
        },
      };
    },
    eachOf: (name, claimed, held, rules) => {
      const inner = rules(builders());
      return {
        differences: (c, h, at) => {
          const path = pathOf(at, name);
          const ci = (c === undefined ? undefined : claimed(c)) ?? [];
          const hi = (h === undefined ? undefined : held(h)) ?? [];
          // Past the shorter list, the count difference says it: no line per missing item.
          const items = Array.from({ length: Math.min(ci.length, hi.length) }, (_, i) =>
            inner.flatMap((rule) => rule.differences(orUndefined(ci[i]), orUndefined(hi[i]), `${path}[${i}]`)),
          );
          return [...countDifference(path, ci.length, hi.length), ...items.flat()];
        },
      };
    },
    valuesOf: (name, claimed, held) => ({
      differences: (c, h, at) => {
        const path = pathOf(at, name);
        const ci = (c === undefined ? undefined : claimed(c)) ?? [];
        const hi = (h === undefined ? undefined : held(h)) ?? [];
        const items = Array.from({ length: Math.min(ci.length, hi.length) }, (_, i) => differ(`${path}[${i}]`, ci[i], hi[i]));
        return [...countDifference(path, ci.length, hi.length), ...items.flat()];
      },
    }),
  };
}

/** The rules for delivered shape C against held shape H, written with that pair's builders. */
export function rulesFor<C, H>(rules: (top: Builders<C, H>) => readonly FieldRule<C, H>[]): readonly FieldRule<C, H>[] {
  return rules(builders());
}
