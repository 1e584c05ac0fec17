import { untrusted, VALUE_LIMIT } from './untrusted';

/*
 * A value on its way into an HTML page (the approval link's page): first
 * made visible and bounded like every attacker-shaped value
 * (untrusted.ts), then with every character HTML gives a meaning (& < > " '
 * and the backtick) written as an entity. A value never becomes markup, an
 * attribute or a script; the page's Content-Security-Policy forbids scripts
 * anyway.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes HTML's special characters only; for text that is already bounded and visible. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** An attacker-shaped value as inert HTML text, at most `limit` characters before escaping. */
export function htmlText(value: unknown, limit: number = VALUE_LIMIT): string {
  return escapeHtml(untrusted(value, limit));
}
