import { AsyncLocalStorage } from 'node:async_hooks';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/*
 * An abort signal that follows a piece of work through every AWS call it
 * makes, however deep (a ledger method, a discovery read, the credentials
 * of an AssumeRole): the one HTTP handler of every client (clients.ts)
 * ends the call's request when the signal fires, and refuses to send one
 * after it, so an abandoned call is not left retrying in the background.
 * The SDK does not retry an AbortError. This is how the response's
 * pre-plan phases (lambda/plan/pre-plan-budget.ts) end their calls at
 * their cut-off without passing a signal through every function between.
 */

const ambient = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` with every AWS request it makes ended when `signal` fires (nested: the innermost signal and every outer one). */
export function withAbortSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const outer = ambient.getStore();
  return ambient.run(outer ? AbortSignal.any([outer, signal]) : signal, work);
}

type HandleOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;

/** NodeHttpHandler that also honours the ambient signal of the work that sent the request. */
export class AbortableHttpHandler extends NodeHttpHandler {
  override handle(request: Parameters<NodeHttpHandler['handle']>[0], options: HandleOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    const signal = ambient.getStore();
    if (!signal) return super.handle(request, options);
    const own = options.abortSignal as AbortSignal | undefined;
    return super.handle(request, { ...options, abortSignal: own ? AbortSignal.any([own, signal]) : signal });
  }
}
