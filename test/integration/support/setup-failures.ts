/*
 * One failed setup must fail its own tests with its own error, not cascade.
 * Jest marks the tests under a failed beforeAll as failed with that error,
 * but it still runs the hooks nested below it and every afterAll, which then
 * meet the variables the failed setup never assigned: a wall of "cannot read
 * properties of undefined" that hides the one real error. Loaded before each
 * integration test file (jest.integration.config.js, setupFilesAfterEnv),
 * this wraps the hook functions:
 *   - a beforeAll or beforeEach whose describe block (or an enclosing one)
 *     had a beforeAll fail does not run (jest already fails every test
 *     below the failed hook with that hook's own error);
 *   - an afterAll or afterEach in such a block still runs (it may have
 *     something to close), but an error it throws there is the failed
 *     setup's consequence and is only logged.
 * Each test file resets and seeds the emulator itself, so the next file
 * starts clean whatever this one left behind.
 */

type HookFn = jest.ProvidesHookCallback;
type HookRegistrar = (fn: HookFn, timeout?: number) => void;

interface SetupFailure {
  /** The describe blocks the failed hook was declared in, outermost first. */
  readonly scope: readonly number[];
}

const failures: SetupFailure[] = [];
const scopeStack: number[] = [];
let nextScope = 1;

function within(failure: SetupFailure, scope: readonly number[]): boolean {
  return failure.scope.every((id, i) => scope[i] === id);
}

function failureAbove(scope: readonly number[]): SetupFailure | undefined {
  return failures.find((failure) => within(failure, scope));
}

function wrapSetupHook(register: HookRegistrar, recordsFailure: boolean): HookRegistrar {
  return (fn, timeout) => {
    // A hook that takes jest's `done` callback is left as it is (none of the integration files uses one).
    if (fn.length > 0) return register(fn, timeout);
    const scope = [...scopeStack];
    return register(async () => {
      if (failureAbove(scope)) return;
      try {
        await (fn as () => unknown)();
      } catch (error) {
        if (recordsFailure) failures.push({ scope });
        throw error;
      }
    }, timeout);
  };
}

function wrapTeardownHook(register: HookRegistrar): HookRegistrar {
  return (fn, timeout) => {
    if (fn.length > 0) return register(fn, timeout);
    const scope = [...scopeStack];
    return register(async () => {
      try {
        await (fn as () => unknown)();
      } catch (error) {
        if (!failureAbove(scope)) throw error;
        console.warn(`teardown error after a failed setup (reported above), ignored: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, timeout);
  };
}

type DescribeFn = (name: Parameters<jest.Describe>[0], fn: jest.EmptyFunction) => void;

function wrapDescribe(describeFn: DescribeFn): DescribeFn {
  return (name, fn) =>
    describeFn(name, () => {
      scopeStack.push(nextScope++);
      try {
        fn();
      } finally {
        scopeStack.pop();
      }
    });
}

const originalDescribe = globalThis.describe;
const describeWithScope = Object.assign(wrapDescribe(originalDescribe), originalDescribe, {
  only: wrapDescribe(originalDescribe.only),
  skip: wrapDescribe(originalDescribe.skip),
});
globalThis.describe = describeWithScope as jest.Describe;
globalThis.beforeAll = wrapSetupHook(globalThis.beforeAll, true) as jest.Lifecycle;
globalThis.beforeEach = wrapSetupHook(globalThis.beforeEach, false) as jest.Lifecycle;
globalThis.afterAll = wrapTeardownHook(globalThis.afterAll) as jest.Lifecycle;
globalThis.afterEach = wrapTeardownHook(globalThis.afterEach) as jest.Lifecycle;
