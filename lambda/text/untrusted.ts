/*
 * Text that came from a finding or a resource (tags, names, user names,
 * descriptions, ids, titles, types, IPs) and every composed text that may
 * hold such a value, on its way into a notification, an SNS subject or the
 * terminal. The attacker the responder answers can shape those values, so
 * they must never:
 * - start a line of their own (and so forge a step, a "DONE" or a header):
 *   every line break, including the Unicode ones (U+0085, U+2028, U+2029),
 *   and every other control character is written out visibly (\n, \r, \t,
 *   \u2028, ...);
 * - reorder or hide what the reader sees: bidi overrides and isolates
 *   (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and zero-width
 *   characters (U+200B-U+200D, U+2060, U+FEFF, U+180E, U+00AD) are written
 *   out the same way;
 * - drown the rest: each value is cut to a bound, with a marker saying how
 *   many characters were cut.
 *
 * A backslash is left as it is, so escaping is idempotent: text escaped
 * where it was composed (a guard's reason naming a tag value) is unchanged
 * when the output escapes it again. A literal "\n" an attacker types stays
 * two visible characters on the same line, which is all that matters.
 */

/** A single value: an id, a type, a name, a tag value. */
export const VALUE_LIMIT = 256;
/** A composed text: a reason, a warning, a step title or detail, an error message. */
export const TEXT_LIMIT = 1024;
/** A whole output line, whatever it holds. */
export const LINE_LIMIT = 2048;
/** SNS Publish: a subject is text "with no line breaks or control characters, and less than 100 characters long"; ASCII here, so every mail client shows it as is. */
export const SUBJECT_LIMIT = 99;

// C0 controls, DEL, C1 controls (U+0085 NEL among them), soft hyphen, Arabic letter mark, Mongolian vowel
// separator, zero-width and directional marks, line and paragraph separators, bidi embeddings, overrides
// and isolates, word joiner and invisible operators, zero-width no-break space (BOM).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Cuts text to `limit` characters, the marker included, without splitting an escape sequence or a surrogate pair. */
export function bounded(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const markerOf = (cut: number) => `...[${cut} more characters]`;
  // The marker's own length depends on the number it carries; one retry settles it.
  let keep = Math.max(0, limit - markerOf(text.length).length);
  keep = backOffEscape(text, keep);
  return `${text.slice(0, keep)}${markerOf(text.length - keep)}`;
}

function backOffEscape(text: string, keep: number): number {
  let at = keep;
  // Never leave half of a surrogate pair.
  if (at > 0 && /[\ud800-\udbff]/.test(text[at - 1]!)) at -= 1;
  // Never cut inside "\uXXXX" or "\n" written by escapeChar.
  const tail = text.slice(Math.max(0, at - 5), at);
  const partial = /\\(u[0-9a-f]{0,3})?$/.exec(tail);
  if (partial) at -= partial[0].length;
  return at;
}

/** The value as text that cannot break a line, reorder the line or hide itself, at most `limit` characters. */
export function untrusted(value: unknown, limit: number = VALUE_LIMIT): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? String(value) : JSON.stringify(value) ?? String(value);
  return bounded(text.replace(UNSAFE, escapeChar), limit);
}

/** A composed text (reason, warning, title, detail, error message). */
export function untrustedText(value: unknown): string {
  return untrusted(value, TEXT_LIMIT);
}

/** One output line: escaped (it must hold no line break either) and bounded as a whole. */
export function safeLine(line: string): string {
  return untrusted(line, LINE_LIMIT);
}

/**
 * One terminal line whose values were escaped before our own colours were
 * painted on: everything but ESC (the colours' own escape sequences, ours
 * alone since every value's ESC was escaped) is escaped again, and the line
 * bounded.
 */
export function safePaintedLine(line: string): string {
  return bounded(line.replace(UNSAFE, (c) => (c === '\u001b' ? c : escapeChar(c))), LINE_LIMIT);
}

// What JSON.stringify leaves raw inside strings (it escapes C0 controls itself): DEL, C1, the invisible and bidi characters, U+2028/2029.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * JSON of a report, a plan or evidence, with every character a viewer could
 * take for a line break or a reordering written as its \uXXXX escape: the
 * same JSON value (nothing is cut: evidence keeps every character), safe
 * to open in a text viewer or a terminal.
 */
export function safeJson(value: unknown, space?: number): string {
  return (JSON.stringify(value, null, space) ?? 'null').replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An SNS subject: printable ASCII only, no line break, at most 100 characters, whatever goes in. */
export function safeSubject(subject: string): string {
  const ascii = untrusted(subject, Number.MAX_SAFE_INTEGER).replace(/[^\x20-\x7e]/g, '?').trimStart();
  const text = ascii.length > 0 ? ascii : '[GuardDuty IR]';
  return text.length > SUBJECT_LIMIT ? `${text.slice(0, SUBJECT_LIMIT - 3)}...` : text;
}
