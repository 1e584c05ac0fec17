import type { ExecutionContext, PlannedStep, StepOutcome } from '../../plan/types';

/*
 * One resource's steps inside the sequence's one plan: every id is
 * prefixed with the resource's ref (`r1/isolate:eni-...`), and so is every
 * reference to a step (requires, follows, compensates, "<output of STEP>"
 * in parameters and words), so the sub-plans of two instances never share
 * an id. Each step runs with a view of the execution context in which its
 * own sub-plan's outputs and outcomes carry their unprefixed ids: the
 * playbook's closures (a security group created by an earlier step, the
 * outcome a compensating step checks) work as they do alone.
 */

const OUTPUT_REF = /<output of ([^>]+)>/g;

function renamed(prefix: string, id: string): string {
  return `${prefix}/${id}`;
}

function rewriteText(prefix: string, text: string): string {
  return text.replace(OUTPUT_REF, (_, id: string) => `<output of ${renamed(prefix, id)}>`);
}

/** Parameters with every "<output of STEP>" renamed, at any depth. */
export function rewriteValue(prefix: string, value: unknown): unknown {
  if (typeof value === 'string') return rewriteText(prefix, value);
  if (Array.isArray(value)) return value.map((item: unknown) => rewriteValue(prefix, item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, rewriteValue(prefix, item)]));
  }
  return value;
}

/** The outputs of one sub-plan, by their unprefixed ids, read and written through to the execution's own map. */
class PrefixedOutputs extends Map<string, unknown> {
  constructor(
    private readonly all: Map<string, unknown>,
    private readonly prefix: string,
  ) {
    super();
  }

  override get(id: string): unknown {
    return this.all.get(renamed(this.prefix, id));
  }

  override has(id: string): boolean {
    return this.all.has(renamed(this.prefix, id));
  }

  override set(id: string, value: unknown): this {
    this.all.set(renamed(this.prefix, id), value);
    return this;
  }
}

/** The context one sub-plan's step runs with: its own sub-plan's outputs and outcomes, unprefixed. */
export function contextFor(ctx: ExecutionContext, prefix: string): ExecutionContext {
  const own = `${prefix}/`;
  const outcomes: StepOutcome[] = ctx.outcomes.filter((o) => o.id.startsWith(own)).map((o) => ({ ...o, id: o.id.slice(own.length) }));
  return { ...ctx, outputs: new PrefixedOutputs(ctx.outputs, prefix), outcomes };
}

/** The step, renamed into the sequence's plan, titled with the resource it answers. */
export function prefixedStep(step: PlannedStep, prefix: string, label: string): PlannedStep {
  const { follows, compensates } = step;
  return {
    ...step,
    id: renamed(prefix, step.id),
    title: `${prefix} ${label}: ${rewriteText(prefix, step.title)}`,
    target: rewriteText(prefix, step.target),
    why: rewriteText(prefix, step.why),
    parameters: rewriteValue(prefix, step.parameters) as Readonly<Record<string, unknown>>,
    requires: step.requires.map((id) => renamed(prefix, id)),
    ...(follows !== undefined ? { follows: renamed(prefix, follows) } : {}),
    ...(compensates !== undefined ? { compensates: renamed(prefix, compensates) } : {}),
    run: (ctx) => step.run(contextFor(ctx, prefix)),
  };
}
