import type { PlaybookName } from '../routing/playbook-names';

/**
 * A finding reached the Lambda of a playbook it does not route to. Its role
 * lacks the other playbook's permissions, so it refuses instead of guessing.
 */
export class RoutingMismatchError extends Error {
  constructor(findingId: string, routed: PlaybookName, invoked: PlaybookName) {
    super(`finding ${findingId} routes to ${routed}, not ${invoked}: invoke the ${routed} function instead`);
    this.name = 'RoutingMismatchError';
  }
}
