import { DOCUMENTED_FINDING_TYPES } from './documented-types';
import type { PlaybookName } from './playbook-names';
import { ROUTING_TABLE, type RoutingRule } from './table';
import { typeMatches } from './type-match';

/** Team-specific changes to the routing table, from the validated config. */
export interface RoutingOverrides {
  /** Exact finding type → playbook. `notify` means "never act on it". */
  readonly add: Readonly<Record<string, PlaybookName>>;
  /** Exact finding types that must only be reported. */
  readonly remove: readonly string[];
}

export const NO_OVERRIDES: RoutingOverrides = { add: {}, remove: [] };

export interface EffectiveRule extends RoutingRule {
  /** Exact types this rule must not act on: removed, or moved to another playbook. None of `types` matches them. */
  readonly excluded: readonly string[];
}

/**
 * Applies the overrides to the table. A type added to one playbook is
 * excluded from every other rule, so rules stay disjoint: one finding, one
 * playbook.
 *
 * A prefix with a hole (a type under it that is excluded, or acted on only
 * for the attacker) is replaced by the documented types under it, minus the
 * excluded ones. EventBridge's engine cannot match "this prefix except that
 * type" in one pattern; listing the family by name keeps what the rules
 * match and what `routeKey` decides the same. A type GuardDuty adds later to
 * such a family is therefore reported, never acted on, until
 * documented-types.ts names it.
 */
export function effectiveRoutingTable(overrides: RoutingOverrides = NO_OVERRIDES): EffectiveRule[] {
  const silenced = new Set(overrides.remove);
  for (const [type, playbook] of Object.entries(overrides.add)) if (playbook === 'notify') silenced.add(type);
  return ROUTING_TABLE.map((rule) => {
    const added = Object.entries(overrides.add)
      .filter(([type, playbook]) => playbook === rule.playbook && !silenced.has(type))
      .map(([type]) => type);
    const movedAway = Object.entries(overrides.add)
      .filter(([, playbook]) => playbook !== rule.playbook)
      .map(([type]) => type);
    const excluded = [...new Set([...silenced, ...movedAway])].sort();
    const types = withoutHoles([...rule.types, ...added], excluded, rule.actorOnly);
    return {
      ...rule,
      types,
      actorOnly: rule.actorOnly.filter((type) => types.includes(type)),
      excluded,
    };
  });
}

function withoutHoles(entries: readonly string[], excluded: readonly string[], actorOnly: readonly string[]): string[] {
  const result = entries.flatMap((entry) => {
    if (!entry.endsWith('*')) return excluded.includes(entry) ? [] : [entry];
    const hasHole = [...excluded, ...actorOnly].some((type) => typeMatches(entry, type));
    if (!hasHole) return [entry];
    return DOCUMENTED_FINDING_TYPES.filter((type) => typeMatches(entry, type) && !excluded.includes(type));
  });
  return [...new Set(result)];
}
