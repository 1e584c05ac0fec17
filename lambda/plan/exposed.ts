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

/**
 * The error code of a step that could neither finish nor undo a move sent
 * before the checks (contain-instance's early move), and so closed the
 * resource instead (the isolation group) with its own groups known from no
 * read: not exposed, but not as the response found it, and only a person can
 * put it back. The notification's subject names it, and the invocation fails
 * so that it is retried.
 */
export const LEFT_CLOSED_OWN_STATE_UNKNOWN = 'LeftClosedOwnGroupsUnknown';

/** The targets of failed steps that left a resource closed with its own state unknown (LEFT_CLOSED_OWN_STATE_UNKNOWN), sorted. */
export function leftClosedBy(outcomes: readonly Pick<StepOutcome, 'status' | 'error' | 'target'>[]): string[] {
  return [...new Set(outcomes.flatMap((o) => (o.status === 'failed' && o.error?.code === LEFT_CLOSED_OWN_STATE_UNKNOWN ? [o.target] : [])))].sort();
}

/**
 * The targets of steps that skipped with the resource still on an opening an earlier attempt left (a closesLeftOpen step
 * under a dry-run, or of a delivery that may not hold the incident: StepOutcome.leftOpen), sorted.
 */
export function leftOnAllowAllBy(outcomes: readonly Pick<StepOutcome, 'status' | 'target' | 'leftOpen'>[]): string[] {
  return [...new Set(outcomes.flatMap((o) => (o.status === 'skipped' && o.leftOpen ? [o.target] : [])))].sort();
}
