import type { Finding } from '../finding/schema';
import { resourceRoleOf, resourceTypeOf } from '../finding/accessors';
import type { PlaybookName } from './playbook-names';
import { typeMatchesAny } from './type-match';
import type { EffectiveRule } from './overrides';
import { REPORTED_ONLY, REPORTED_RESOURCE_TYPES } from './table';

export interface RouteDecision {
  readonly playbook: PlaybookName;
  /** Routing rule id, or `default` when no rule matched. */
  readonly ruleId: string;
  readonly why: string;
}

export const DEFAULT_ROUTE_ID = 'default';

/** The fields routing looks at; both a Finding and an EventBridge detail provide them. */
export interface RoutingKey {
  readonly type: string;
  readonly resourceType: string | undefined;
  readonly resourceRole: string | undefined;
}

export function routingKeyOf(finding: Finding): RoutingKey {
  return { type: finding.type, resourceType: resourceTypeOf(finding), resourceRole: resourceRoleOf(finding) };
}

export function ruleMatches(rule: EffectiveRule, key: RoutingKey): boolean {
  if (key.resourceType !== rule.resourceType) return false;
  if (!typeMatchesAny(rule.types, key.type)) return false;
  if (rule.excluded.includes(key.type)) return false;
  if (rule.actorOnly.includes(key.type) && key.resourceRole !== 'ACTOR') return false;
  return true;
}

export function routeKey(key: RoutingKey, table: readonly EffectiveRule[]): RouteDecision {
  const rule = table.find((candidate) => ruleMatches(candidate, key));
  if (rule) return { playbook: rule.playbook, ruleId: rule.id, why: rule.why };
  return {
    playbook: 'notify',
    ruleId: DEFAULT_ROUTE_ID,
    why: describeDefault(key),
  };
}

export function routeFinding(finding: Finding, table: readonly EffectiveRule[]): RouteDecision {
  return routeKey(routingKeyOf(finding), table);
}

function describeDefault(key: RoutingKey): string {
  if (key.resourceType === undefined) return 'the finding names no resource type; it is reported, not acted on';
  // Object.hasOwn: the resource type comes from the finding; "constructor" must not find Object's own.
  if (Object.hasOwn(REPORTED_RESOURCE_TYPES, key.resourceType)) return `${key.type} on a ${key.resourceType}: ${REPORTED_RESOURCE_TYPES[key.resourceType]}`;
  if (Object.hasOwn(REPORTED_ONLY, key.type)) return `${key.type} is reported only: ${REPORTED_ONLY[key.type]}`;
  return `no playbook acts on ${key.type} for a ${key.resourceType} resource${key.resourceRole ? ` (role ${key.resourceRole})` : ''}; it is reported, not acted on`;
}
