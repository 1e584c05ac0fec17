import type { StepSpec } from '../lambda/plan/types';

/*
 * What counts as a playbook's first change: a call of an action that one
 * of its mutating step kinds declares. A mutating step declares the reads it
 * makes on its way too (DescribeSecurityGroups before creating one, GetX to
 * record before writing it), so those are left out by their verb: a read
 * changes nothing, whichever step sends it.
 */

const READ_VERBS = ['Describe', 'Get', 'List', 'Head'];

/** The changing actions (`ec2:CreateTags`, …) of the playbook's mutating step kinds, from its declarations. */
export function changeActionsOf(stepSpecs: readonly StepSpec[]): ReadonlySet<string> {
  const declared = stepSpecs.filter((spec) => spec.mutating).flatMap((spec) => spec.iamActions);
  return new Set(declared.filter((action) => !READ_VERBS.some((verb) => (action.split(':')[1] ?? '').startsWith(verb))));
}

export interface AnsweredCall {
  readonly action: string;
  readonly status: number;
  readonly answeredAt: number;
}

/** The earliest answered successful call of one of `actions`: the moment the first change was made. Undefined when none was. */
export function firstChangeOf<C extends AnsweredCall>(calls: readonly C[], actions: ReadonlySet<string>): C | undefined {
  return calls.filter((call) => actions.has(call.action) && call.status < 300).sort((a, b) => a.answeredAt - b.answeredAt)[0];
}
