import { untrusted, VALUE_LIMIT } from './untrusted';

/*
 * Text from a finding or a resource on its way into a chat message (AWS
 * Chatbot custom notifications, rendered as Slack or Microsoft Teams
 * markdown). On top of what untrusted() already does (no line break, no
 * bidi or invisible character, bounded), nothing it holds may become markup:
 * - no mention or channel ping: `<!channel>`, `<!here>`, `<@U123>` need `<`,
 *   which is written `&lt;` (Slack's own escaping, with `&` and `>`); a bare
 *   `@here`, `@channel` or `@someone` gets its `@` written as `(at)`;
 * - no code span or block breaking out of ours, no hidden text: every
 *   backtick becomes a plain quote;
 * - no link: `[text](url)` loses its `](`, and a URL's scheme is defanged
 *   (`https://evil` becomes `hxxps[:]//evil`) so the client links nothing;
 * - no bold or strike forged over our own words: `*` and `~` are escaped
 *   with a backslash (Teams honours it; Slack shows it, which is visible,
 *   not markup). `_` is left alone: it is in too many real names, and an
 *   italic is harmless.
 * Our own links (console URLs we build) are never passed through this.
 */

const SCHEME = /\b([a-z][a-z0-9+.-]*):\/\//gi;

export function chatText(value: unknown, limit: number = VALUE_LIMIT): string {
  return untrusted(value, limit)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '(at)')
    .replace(/`/g, "'")
    .replace(/\]\(/g, '] (')
    .replace(SCHEME, (_, scheme: string) => `${scheme.replace(/t/gi, 'x')}[:]//`)
    .replace(/[*~]/g, (c) => `\\${c}`);
}
