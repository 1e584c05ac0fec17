import { effectiveRoutingTable, type EffectiveRule } from '../routing/overrides';
import type { RuntimeConfig } from './schema';

export function routingTableFor(config: RuntimeConfig): EffectiveRule[] {
  return effectiveRoutingTable(config.routing);
}
