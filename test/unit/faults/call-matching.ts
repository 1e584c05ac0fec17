import { outputRef, type IamAction, type PlannedStep, type StepOutcome } from '../../../lambda/plan/types';
import type { SentCall, Service } from './faulty-clients';

/*
 * Which call is a step's, and which is a read's, derived from the plan
 * itself: a step declares its action and the request it sends (values only
 * known at run time shown as `<...>`), a read declares its action and what
 * it reads. Nothing here names a step, so new steps are matched the same way.
 */

export interface CallSignature {
  readonly service: Service;
  readonly action: string;
  /** The request; a `<...>` string stands for any value. */
  readonly input: unknown;
}

const PLACEHOLDER = /^<.+>$/;

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Same request, field by field; a placeholder in `expected` matches any value. */
export function sameRequest(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string' && PLACEHOLDER.test(expected)) return true;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => sameRequest(item, actual[i]));
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return false;
    const keys = Object.keys(expected);
    return keys.length === Object.keys(actual).length && keys.every((key) => key in actual && sameRequest(expected[key], actual[key]));
  }
  return expected === actual;
}

export function matchesCall(signature: CallSignature, call: SentCall): boolean {
  return call.service === signature.service && call.action === signature.action && sameRequest(signature.input, call.input);
}

/** IAM actions that authorise an API of another name: the call is matched by the API's name (S3's, mostly). */
const API_OF_ACTION: Readonly<Record<string, string>> = {
  's3:GetBucketPublicAccessBlock': 'GetPublicAccessBlock',
  's3:PutBucketPublicAccessBlock': 'PutPublicAccessBlock',
  's3:GetObjectVersionTagging': 'GetObjectTagging',
  's3:PutObjectVersionTagging': 'PutObjectTagging',
};

/** Whether a call is one these IAM actions authorise (by its API name, or the API an action of another name authorises). */
export function declaresCall(declared: ReadonlySet<string>, call: { readonly service: string; readonly action: string }): boolean {
  const action = `${call.service}:${call.action}`;
  return declared.has(action) || Object.entries(API_OF_ACTION).some(([iamAction, api]) => api === call.action && iamAction.startsWith(`${call.service}:`) && declared.has(iamAction));
}

function splitAction(action: IamAction): { service: Service; action: string } {
  const [service, name] = action.split(':') as [Service, string];
  return { service, action: API_OF_ACTION[action] ?? name };
}

/** The step's parameters with the outputs of earlier steps (`<output of STEP>`) filled in from a run. */
function resolveOutputs(value: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    for (const [stepId, output] of outputs) if (value === outputRef(stepId)) return output;
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolveOutputs(item, outputs));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveOutputs(item, outputs)]));
  return value;
}

export function stepSignature(step: PlannedStep, outputs: ReadonlyMap<string, unknown>): CallSignature {
  return { ...splitAction(step.action), input: asJson(resolveOutputs(step.parameters, outputs)) };
}

/**
 * A read names its target, not its request. Of the calls with the read's
 * action: the one whose request names the target; else the one no other
 * read of that action claims; else, when a step made another request of
 * that action (contain-database's restriction reads the pending
 * modifications again, by filter, right before its change), the first
 * sent: every read of the plan is sent before any step runs. Anything else
 * is ambiguous and reported.
 */
export function readSignature(read: StepOutcome, reads: readonly StepOutcome[], sent: readonly SentCall[]): CallSignature {
  const { service, action } = splitAction(read.action);
  const distinct = [...new Map(sent.filter((c) => c.service === service && c.action === action).map((c) => [JSON.stringify(c.input), c])).values()];
  const naming = (target: string) => distinct.filter((c) => JSON.stringify(c.input).includes(target));
  const named = naming(read.target);
  if (named.length === 1) return { service, action, input: named[0]!.input };
  if (named.length === 0) {
    const claimed = new Set(reads.filter((r) => r.id !== read.id && r.action === read.action).flatMap((r) => naming(r.target)));
    const unclaimed = distinct.filter((c) => !claimed.has(c));
    if (unclaimed.length === 1) return { service, action, input: unclaimed[0]!.input };
    const readsOfAction = reads.filter((r) => r.action === read.action).length;
    // One read of this action, several requests: the others are steps' own; `distinct` keeps the order they were sent in.
    if (readsOfAction === 1 && unclaimed.length > 1) return { service, action, input: unclaimed[0]!.input };
  }
  throw new Error(`cannot tell which of ${distinct.length} ${read.action} calls is the read ${read.id}`);
}
