import type * as z from '../zod';
import { untrusted } from '../text/untrusted';
import { FindingInputError } from './errors';
import { findingSchema, type Finding } from './schema';

/*
 * Findings reach us in three shapes: an EventBridge event (camelCase finding
 * under `detail`), a raw finding (camelCase), and `aws guardduty get-findings`
 * output (PascalCase, under `Findings`). A raw PascalCase finding (one element
 * of that output) is accepted too. All become the same validated Finding.
 */

const GUARDDUTY_SOURCE = 'aws.guardduty';
const MAX_FINDINGS_PER_INPUT = 50;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerFirst(key: string): string {
  return key.length === 0 ? key : key[0]!.toLowerCase() + key.slice(1);
}

/** get-findings output uses PascalCase keys; the EventBridge form uses camelCase. */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) out[lowerFirst(key)] = camelizeKeys(inner);
  return out;
}

function looksPascalCase(value: JsonObject): boolean {
  return 'Id' in value || 'Type' in value || 'Findings' in value;
}

interface Envelope {
  region?: string;
}

interface Unwrapped {
  candidates: unknown[];
  envelope: Envelope;
}

function unwrap(input: unknown): Unwrapped {
  if (!isObject(input)) {
    throw new FindingInputError('not-a-finding', `not a GuardDuty finding: expected a JSON object, got ${describe(input)}`);
  }
  const value = looksPascalCase(input) ? (camelizeKeys(input) as JsonObject) : input;
  if ('findings' in value) {
    if (!Array.isArray(value.findings) || value.findings.length === 0) {
      throw new FindingInputError('not-a-finding', 'not a GuardDuty finding: Findings must be a non-empty array');
    }
    if (value.findings.length > MAX_FINDINGS_PER_INPUT) {
      throw new FindingInputError('not-a-finding', `too many findings in one input: ${value.findings.length} (at most ${MAX_FINDINGS_PER_INPUT})`);
    }
    return { candidates: value.findings.map((f) => (isObject(f) ? camelizeKeys(f) : f)), envelope: {} };
  }
  if ('detail' in value) {
    if ('source' in value && value.source !== GUARDDUTY_SOURCE) {
      throw new FindingInputError('wrong-source', `not a GuardDuty event: source is ${quoted(value.source)}, expected "${GUARDDUTY_SOURCE}"`);
    }
    return {
      candidates: [value.detail],
      envelope: {
        region: typeof value.region === 'string' ? value.region : undefined,
      },
    };
  }
  return { candidates: [value], envelope: {} };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function formatIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = issue.path.map(String).join('.');
  const where = path ? `${prefix}${path}` : prefix.replace(/\.$/, '') || 'finding';
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return `${where} is missing`;
  return `${where}: ${issue.message}`;
}

/** A string id that failed its pattern (ids.ts), as opposed to a missing or mistyped field. */
function isIdIssue(issue: z.core.$ZodIssue): boolean {
  const field = issue.path[issue.path.length - 1];
  return issue.code === 'invalid_format' && (field === 'id' || field === 'instanceId');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = isObject(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

const SHOWN_ID_LIMIT = 80;

/** The rejected value as JSON, escaped and cut to a readable length (it goes into an error message and a log line). */
function quoted(value: unknown): string {
  return untrusted(JSON.stringify(value) ?? String(value), SHOWN_ID_LIMIT);
}

function validate(candidate: unknown, envelope: Envelope, prefix: string): Finding {
  if (!isObject(candidate)) {
    throw new FindingInputError('not-a-finding', `not a GuardDuty finding: ${prefix || 'finding'} is ${describe(candidate)}, expected an object`);
  }
  const withEnvelope: JsonObject = {
    ...candidate,
    // Never the event's own account: in a delegated-administrator setup that is the security account, not the finding's.
    region: candidate.region ?? envelope.region,
  };
  const result = findingSchema.safeParse(withEnvelope);
  if (!result.success) {
    const first = result.error.issues[0]!;
    if (isIdIssue(first)) {
      const value = valueAt(withEnvelope, first.path);
      throw new FindingInputError('invalid-id', `invalid id: ${formatIssue(first, prefix)} (got ${quoted(value)}); nothing is planned or changed`);
    }
    throw new FindingInputError('not-a-finding', `not a GuardDuty finding: ${formatIssue(first, prefix)}`);
  }
  return result.data;
}

/** Accepts any of the accepted shapes (already JSON-decoded) and returns the validated findings. */
export function parseFindings(input: unknown): Finding[] {
  const { candidates, envelope } = unwrap(input);
  const prefix = isObject(input) && ('detail' in input) ? 'detail.' : '';
  return candidates.map((candidate, index) =>
    validate(candidate, envelope, candidates.length > 1 || (isObject(input) && 'Findings' in input) ? `Findings[${index}].` : prefix),
  );
}

/** Decodes JSON text first; bad JSON is an input error, not a crash. */
export function parseFindingsText(text: string): Finding[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FindingInputError('invalid-json', `invalid JSON: ${reason}`);
  }
  return parseFindings(decoded);
}
