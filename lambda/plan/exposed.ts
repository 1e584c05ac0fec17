import type { StepOutcome } from './types';

/**
 * What failed steps left more exposed than the response found it (an ENI
 * left on the allow-all group), sorted (outcomes come in the order steps
 * finished): the notification's subject names it, and the invocation fails
 * so that it is retried.
 */
export function exposedBy(outcomes: readonly Pick<StepOutcome, 'status' | 'exposed'>[]): string[] {
  return [...new Set(outcomes.flatMap((o) => (o.status === 'failed' && o.exposed !== undefined ? [o.exposed] : [])))].sort();
}
