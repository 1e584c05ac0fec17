import type { PlaybookName } from './playbook-names';
import { typeMatches } from './type-match';
import type { EffectiveRule } from './overrides';

/*
 * Compiles the routing table into EventBridge event patterns. Every finding
 * matches exactly one pattern, and the pattern's playbook is the one
 * `routeKey` picks. The acting rules are matched positively; `notify` gets
 * the complement, split into disjoint patterns, so an unknown finding type
 * still reaches a playbook (notify) and is never dropped.
 *
 * Written for EventBridge's real matching engine (Event Ruler), whose rules
 * differ from a plain reading of the JSON:
 *  - a field named both outside and inside `$or` takes the branch's value
 *    (the outer condition is dropped), so no pattern here uses `$or`;
 *  - one field of one pattern cannot be both a prefix and an anything-but,
 *    so "this family except that type" is never written: the table lists
 *    such a family by name (effectiveRoutingTable), and the exceptions get
 *    patterns of their own (the attacker-only brute-force types).
 * Each pattern is thus a plain conjunction of fields, each field a list of
 * alternatives. The routing tests check every pattern with Event Ruler itself
 * (test/ruler/).
 */

export const GUARDDUTY_EVENT_SOURCE = 'aws.guardduty';
export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

/**
 * EventBridge's quota on the size of one event pattern, in characters
 * ("Event pattern size" in the EventBridge quotas; adjustable on request).
 * A larger pattern would fail the deployment; it fails synth instead.
 */
export const EVENT_PATTERN_MAX_CHARS = 2048;

type Matcher = string | Record<string, unknown>;
type PatternNode = { [key: string]: Matcher[] | PatternNode };

export interface CompiledPattern {
  /** Stable id, used for the EventBridge rule's construct id. */
  readonly id: string;
  readonly playbook: PlaybookName;
  readonly description: string;
  readonly pattern: {
    readonly source: string[];
    readonly 'detail-type': string[];
    readonly detail: PatternNode;
  };
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

function asWildcard(type: string): string {
  return type.endsWith('*') ? `${escapeWildcard(type.slice(0, -1))}*` : escapeWildcard(type);
}

function includeMatchers(types: readonly string[]): Matcher[] {
  return types.map((type) => (type.endsWith('*') ? { prefix: type.slice(0, -1) } : type));
}

function withEnvelope(id: string, playbook: PlaybookName, description: string, detail: PatternNode): CompiledPattern {
  return {
    id,
    playbook,
    description,
    pattern: { source: [GUARDDUTY_EVENT_SOURCE], 'detail-type': [GUARDDUTY_DETAIL_TYPE], detail },
  };
}

/** Whether some finding type matches both entries (exact types, or prefixes ending in `*`). */
function typesOverlap(a: string, b: string): boolean {
  const stem = (type: string) => (type.endsWith('*') ? type.slice(0, -1) : type);
  if (a.endsWith('*') && b.endsWith('*')) return stem(a).startsWith(stem(b)) || stem(b).startsWith(stem(a));
  if (a.endsWith('*')) return typeMatches(a, b);
  if (b.endsWith('*')) return typeMatches(b, a);
  return a === b;
}

/** The table's promises the patterns rely on; effectiveRoutingTable keeps them, this makes a broken table fail synth. */
function assertCompilable(table: readonly EffectiveRule[]): void {
  // Rules of one resource type (attack sequences beside credential misuse on AccessKey) must name disjoint types: one finding, one pattern.
  for (const [i, rule] of table.entries()) {
    for (const other of table.slice(i + 1).filter((o) => o.resourceType === rule.resourceType)) {
      const shared = rule.types.find((type) => other.types.some((otherType) => typesOverlap(type, otherType)));
      if (shared) throw new Error(`routing: rules ${rule.id} and ${other.id} both act on ${shared} for resource type ${rule.resourceType}; the patterns need disjoint rules`);
    }
  }
  for (const rule of table) {
    for (const prefix of rule.types.filter((type) => type.endsWith('*'))) {
      const hole = [...rule.actorOnly, ...rule.excluded].find((type) => typeMatches(prefix, type));
      if (hole) throw new Error(`routing: rule ${rule.id} lists the prefix ${prefix} although ${hole} under it is not acted on for every finding`);
    }
    const stray = rule.actorOnly.find((type) => !rule.types.includes(type));
    if (stray) throw new Error(`routing: rule ${rule.id} has the attacker-only type ${stray} that it does not list`);
  }
}

function actingPatterns(rule: EffectiveRule): CompiledPattern[] {
  const resource = { resourceType: [rule.resourceType] };
  const anyRole = rule.types.filter((type) => !rule.actorOnly.includes(type));
  const patterns: CompiledPattern[] = [];
  if (anyRole.length > 0) patterns.push(withEnvelope(rule.id, rule.playbook, rule.why, { resource, type: includeMatchers(anyRole) }));
  if (rule.actorOnly.length > 0) {
    patterns.push(
      withEnvelope(`${rule.id}-actor`, rule.playbook, 'brute force by the resource: it is the attacker', {
        resource,
        type: [...rule.actorOnly],
        service: { resourceRole: ['ACTOR'] },
      }),
    );
  }
  return patterns;
}

/** The types of a resource type no rule of it lists: one pattern for the resource type, named after its first rule. */
function unlistedPattern(rules: readonly EffectiveRule[]): CompiledPattern {
  const first = rules[0]!;
  const resource = { resourceType: [first.resourceType] };
  const types = rules.flatMap((rule) => rule.types);
  const unlisted: PatternNode = types.length > 0 ? { resource, type: [{ 'anything-but': { wildcard: types.map(asWildcard) } }] } : { resource };
  const playbooks = [...new Set(rules.map((rule) => rule.playbook))].join(' or ');
  return withEnvelope(`${first.id}-unlisted`, 'notify', `${first.resourceType} findings of a type ${playbooks} does not handle`, unlisted);
}

function reportingPatterns(rule: EffectiveRule, table: readonly EffectiveRule[]): CompiledPattern[] {
  const resource = { resourceType: [rule.resourceType] };
  const sameType = table.filter((other) => other.resourceType === rule.resourceType);
  const patterns = sameType[0] === rule ? [unlistedPattern(sameType)] : [];
  if (rule.actorOnly.length > 0) {
    patterns.push(
      withEnvelope(`${rule.id}-not-actor`, 'notify', 'brute force against the resource (it is the target, not the attacker)', {
        resource,
        type: [...rule.actorOnly],
        service: { resourceRole: [{ 'anything-but': ['ACTOR'] }] },
      }),
      withEnvelope(`${rule.id}-no-role`, 'notify', 'brute force with no resource role: not known to be the attacker', {
        resource,
        type: [...rule.actorOnly],
        service: { resourceRole: [{ exists: false }] },
      }),
    );
  }
  return patterns;
}

export function compileEventPatterns(table: readonly EffectiveRule[]): CompiledPattern[] {
  assertCompilable(table);
  const resourceTypes = [...new Set(table.map((rule) => rule.resourceType))];
  return [
    ...table.flatMap(actingPatterns),
    ...table.flatMap((rule) => reportingPatterns(rule, table)),
    withEnvelope('other-resource', 'notify', 'findings about resources no playbook acts on', {
      resource: { resourceType: [{ 'anything-but': resourceTypes }] },
    }),
    withEnvelope('no-resource-type', 'notify', 'findings that name no resource type', {
      resource: { resourceType: [{ exists: false }] },
    }),
  ];
}

/** The pattern as EventBridge receives it (compact JSON), and its length. */
export function patternSize(compiled: CompiledPattern): number {
  return JSON.stringify(compiled.pattern).length;
}

/** Throws, naming the rule and its size, when a pattern is larger than EventBridge accepts. */
export function assertPatternSizes(patterns: readonly CompiledPattern[], limit: number = EVENT_PATTERN_MAX_CHARS): void {
  const tooLarge = patterns.filter((compiled) => patternSize(compiled) > limit);
  if (tooLarge.length === 0) return;
  const named = tooLarge.map((compiled) => `${compiled.id} (${patternSize(compiled)} characters)`).join(', ');
  throw new Error(
    `routing: event pattern over EventBridge's size quota of ${limit} characters: ${named}. ` +
      'Fewer routing overrides (routing.add / routing.remove) keep it smaller.',
  );
}
