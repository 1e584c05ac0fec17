import type { PlaybookName } from './playbook-names';
import { typeMatchesAny } from './type-match';
import type { EffectiveRule } from './overrides';

/*
 * Compiles the routing table into EventBridge event patterns. Every finding
 * matches exactly one pattern, and the pattern's playbook is the one
 * `routeKey` picks. The acting rules are matched positively; `notify` gets
 * the complement, split into disjoint patterns, so an unknown finding type
 * still reaches a playbook (notify) and is never dropped.
 *
 * Patterns use only prefix, anything-but (with a list or a wildcard list),
 * exists and $or.
 */

export const GUARDDUTY_EVENT_SOURCE = 'aws.guardduty';
export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

type Matcher = string | Record<string, unknown>;
type PatternNode = { [key: string]: Matcher[] | PatternNode | PatternNode[] };

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

/** Exact types of `rule` that are removed although a listed type or prefix matches them. */
function effectiveExclusions(rule: EffectiveRule): string[] {
  return rule.excluded.filter((type) => typeMatchesAny(rule.types, type));
}

function actingPattern(rule: EffectiveRule): CompiledPattern {
  const excluded = effectiveExclusions(rule);
  const actorOnly = rule.actorOnly.filter((type) => !excluded.includes(type));
  const detail: PatternNode = {
    resource: { resourceType: [rule.resourceType] },
    type: includeMatchers(rule.types),
  };
  if (actorOnly.length > 0 || excluded.length > 0) {
    // type is listed AND (type is neither actor-only nor excluded, OR the resource is the ACTOR and type is not excluded)
    const actorBranch: PatternNode = { service: { resourceRole: ['ACTOR'] } };
    if (excluded.length > 0) actorBranch.type = [{ 'anything-but': excluded }];
    detail.$or = [{ type: [{ 'anything-but': [...actorOnly, ...excluded] }] }, actorBranch];
  }
  return withEnvelope(rule.id, rule.playbook, rule.why, detail);
}

function complementPatterns(rule: EffectiveRule): CompiledPattern[] {
  const resource = { resourceType: [rule.resourceType] };
  const patterns: CompiledPattern[] = [
    withEnvelope(`${rule.id}-unlisted`, 'notify', `${rule.resourceType} findings of a type ${rule.playbook} does not handle`, {
      resource,
      type: [{ 'anything-but': { wildcard: rule.types.map(asWildcard) } }],
    }),
  ];
  const excluded = effectiveExclusions(rule);
  if (excluded.length > 0) {
    patterns.push(
      withEnvelope(`${rule.id}-excluded`, 'notify', `types removed from ${rule.playbook} by configuration`, { resource, type: excluded }),
    );
  }
  const actorOnly = rule.actorOnly.filter((type) => !excluded.includes(type) && typeMatchesAny(rule.types, type));
  if (actorOnly.length > 0) {
    patterns.push(
      withEnvelope(`${rule.id}-not-actor`, 'notify', 'brute force against the resource (it is the target, not the attacker)', {
        resource,
        type: actorOnly,
        service: { resourceRole: [{ 'anything-but': ['ACTOR'] }] },
      }),
      withEnvelope(`${rule.id}-no-role`, 'notify', 'brute force with no resource role: not known to be the attacker', {
        resource,
        type: actorOnly,
        service: { resourceRole: [{ exists: false }] },
      }),
    );
  }
  return patterns;
}

export function compileEventPatterns(table: readonly EffectiveRule[]): CompiledPattern[] {
  const resourceTypes = [...new Set(table.map((rule) => rule.resourceType))];
  return [
    ...table.map(actingPattern),
    ...table.flatMap(complementPatterns),
    withEnvelope('other-resource', 'notify', 'findings about resources no playbook acts on', {
      resource: { resourceType: [{ 'anything-but': resourceTypes }] },
    }),
    withEnvelope('no-resource-type', 'notify', 'findings that name no resource type', {
      resource: { resourceType: [{ exists: false }] },
    }),
  ];
}
