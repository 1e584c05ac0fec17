import type { PlaybookName } from './playbook-names';
import { ROUTING_TABLE, type RoutingRule } from './table';

/** Team-specific changes to the routing table, from the validated config. */
export interface RoutingOverrides {
  /** Exact finding type → playbook. `notify` means "never act on it". */
  readonly add: Readonly<Record<string, PlaybookName>>;
  /** Exact finding types that must only be reported. */
  readonly remove: readonly string[];
}

export const NO_OVERRIDES: RoutingOverrides = { add: {}, remove: [] };

export interface EffectiveRule extends RoutingRule {
  /** Exact types this rule would match but the team removed (or moved elsewhere). */
  readonly excluded: readonly string[];
}

/**
 * Applies the overrides to the table. A type added to one playbook is
 * excluded from every other rule, so rules stay disjoint: one finding, one
 * playbook.
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
    return {
      ...rule,
      types: [...new Set([...rule.types.filter((t) => !silenced.has(t)), ...added])],
      excluded,
    };
  });
}
