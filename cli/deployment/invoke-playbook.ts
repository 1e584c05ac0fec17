import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Report } from '../../lambda/plan/document';

/** The payload a playbook function accepts besides an EventBridge event (lambda/runtime/invocation.ts). */
export interface DirectInvocation {
  readonly finding: unknown;
  readonly dryRun: boolean;
}

export type InvocationResult =
  | { readonly kind: 'reports'; readonly reports: Report[] }
  /** The function threw: `FunctionError` is "Unhandled" (or "Handled"), `payload` the error it returned. */
  | { readonly kind: 'function-error'; readonly functionError: string; readonly payload: string };

export class UnexpectedResponseError extends Error {
  constructor(functionName: string, why: string) {
    super(`unexpected response from ${functionName}: ${why}`);
    this.name = 'UnexpectedResponse';
  }
}

export function invocationPayload(invocation: DirectInvocation): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(invocation));
}

/** Runs the deployed function synchronously and returns the report(s) it returned. */
export async function invokePlaybook(lambda: LambdaClient, functionName: string, invocation: DirectInvocation): Promise<InvocationResult> {
  const response = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: invocationPayload(invocation) }));
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError) return { kind: 'function-error', functionError: response.FunctionError, payload: text };
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(functionName, `the payload is not JSON (${text.slice(0, 200) || 'empty'})`);
  }
  const reports = Array.isArray(decoded) ? decoded : [decoded];
  if (reports.length === 0 || !reports.every(looksLikeReport)) throw new UnexpectedResponseError(functionName, 'the payload is not a playbook report');
  return { kind: 'reports', reports };
}

/** Enough of a report to print it; the function is ours, so the rest is trusted. */
function looksLikeReport(value: unknown): value is Report {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Record<string, unknown>;
  return (
    typeof report.playbook === 'string' &&
    ['steps', 'reads', 'guards', 'warnings', 'blockedBy'].every((key) => Array.isArray(report[key])) &&
    typeof report.summary === 'object' &&
    report.summary !== null
  );
}
