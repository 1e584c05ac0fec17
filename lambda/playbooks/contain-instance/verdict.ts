import type { GuardVerdict } from '../../guards/types';
import type { IsolationFacts } from './facts';
import { INSTANCE_UNREADABLE } from '../../guards/unreadable';

/** States in which there is nothing left to contain (and EC2 refuses most changes). */
const GONE_STATES = new Set(['shutting-down', 'terminated']);

/**
 * Why there is no instance to act on, as a blocking verdict, or null. The
 * plan then has no step, and the report says why.
 */
export function instanceVerdict(facts: IsolationFacts): GuardVerdict | null {
  const { lookup, instanceId } = facts;
  switch (lookup.status) {
    case 'missing-id':
      return block('no-instance-id', 'the finding names no instance (resource.instanceDetails.instanceId is missing): there is nothing to contain');
    case 'not-found':
      return block('instance-not-found', `instance ${instanceId} does not exist (${lookup.detail}): there is nothing to contain`);
    case 'unreadable':
      return block(
        INSTANCE_UNREADABLE,
        `instance ${instanceId} could not be read (${lookup.error.code}: ${lookup.error.message}): nothing is changed without knowing its network interfaces`,
      );
    case 'found':
      break;
  }
  if (facts.state && GONE_STATES.has(facts.state)) {
    const source = facts.source === 'finding' ? ' according to the finding' : '';
    return block('instance-terminated', `instance ${instanceId} is ${facts.state}${source}: there is nothing left to contain`);
  }
  return null;
}

function block(id: string, reason: string): GuardVerdict {
  return { id, blocks: true, reason };
}
