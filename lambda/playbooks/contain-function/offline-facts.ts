import type { Finding } from '../../finding/schema';
import { NOT_READ, type ContainFunctionFacts } from './facts';
import { functionTargetOf } from '../../finding/lambda-function';

/** The facts of `ir plan --offline`: the function as the finding names it, nothing read. */
export function offlineContainFunctionFacts(finding: Finding): ContainFunctionFacts {
  const parsed = functionTargetOf(finding);
  if (!parsed.ok) return { kind: 'unverified', why: parsed.why };
  return { kind: 'function', target: parsed.target, configuration: NOT_READ, versionConfiguration: null, reservedConcurrency: NOT_READ, provisionedConcurrency: NOT_READ, tags: NOT_READ };
}
