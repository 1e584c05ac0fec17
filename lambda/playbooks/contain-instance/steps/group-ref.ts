import { ResponderError } from '../../../aws/errors';
import { outputRef, type ExecutionContext } from '../../../plan/types';

/**
 * A security group the plan uses: one that exists now, or one an earlier
 * step of the same run creates (its id is that step's output).
 */
export type GroupRef = { readonly kind: 'existing'; readonly groupId: string } | { readonly kind: 'created'; readonly stepId: string };

/** How the group shows in a step's parameters. */
export function groupIdParameter(ref: GroupRef): string {
  return ref.kind === 'existing' ? ref.groupId : outputRef(ref.stepId);
}

/** A group created in this run must be created before it is used. */
export function groupRequires(ref: GroupRef): string[] {
  return ref.kind === 'created' ? [ref.stepId] : [];
}

export function resolveGroupId(ref: GroupRef, ctx: ExecutionContext): string {
  if (ref.kind === 'existing') return ref.groupId;
  const id = ctx.outputs.get(ref.stepId);
  if (typeof id !== 'string') throw new ResponderError('MissingStepOutput', `step ${ref.stepId} produced no security group id`);
  return id;
}
