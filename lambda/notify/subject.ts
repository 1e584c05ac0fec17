import { SUBJECT_LIMIT, untrusted } from '../text/untrusted';
import type { NotificationDocument } from './document';

/*
 * The email subject, within SNS's limit (printable ASCII, no line break, under
 * 100 characters): "[GuardDuty IR <OUTCOME>] <playbook>[ FAILED <steps>]: <SEVERITY n.n>
 * <resource> <account>/<region> <finding type>". The outcome and the severity
 * are never shortened. When the whole is too long, the least useful part is
 * shortened first: the finding type (it is in the body), then the account and
 * region, then the resource, then the list of failed steps or of what is left
 * more exposed (which comes first, being what must be read).
 */

/** One part of the subject, escaped and ASCII already, so its length is its length in the subject. */
export function ascii(text: string): string {
  return untrusted(text, Number.MAX_SAFE_INTEGER).replace(/[^\x20-\x7e]/g, '?');
}

const ELLIPSIS = '...';

export interface Part {
  text: string;
  /** Shortened in this order, lowest first; never shortened below `keep` characters. */
  readonly rank: number;
  readonly keep: number;
}

/** A shortened part keeps at least this many characters, or goes (a stub such as " C..." says nothing). */
const MIN_SHOWN = 10;

function shorten(parts: Part[], limit: number): void {
  const length = () => parts.map((p) => p.text.length).reduce((a, b) => a + b, 0);
  for (const part of [...parts].sort((a, b) => a.rank - b.rank)) {
    const over = length() - limit;
    if (over <= 0) return;
    if (part.text.length <= part.keep) continue;
    const room = part.text.length - over - ELLIPSIS.length;
    if (room >= Math.max(part.keep, MIN_SHOWN)) part.text = `${part.text.slice(0, room).trimEnd()}${ELLIPSIS}`;
    else if (part.keep === 0) part.text = '';
    else if (part.text.length > part.keep + ELLIPSIS.length) part.text = `${part.text.slice(0, part.keep).trimEnd()}${ELLIPSIS}`;
  }
}

/** The parts joined, the least useful shortened first until the whole is within SNS's limit. */
export function composeSubject(parts: Part[]): string {
  shorten(parts, SUBJECT_LIMIT);
  return parts.map((p) => p.text).join('');
}

/**
 * Put before the subject of a notification sent again whose first attempt may have been delivered
 * (lambda/notify/undelivered.ts): never shortened, so the rest gives way to it as to the outcome.
 */
export const MAY_REPEAT_MARK = '[MAY REPEAT]';

export function markOf(mayRepeat: boolean | undefined): Part[] {
  return mayRepeat ? [{ text: `${MAY_REPEAT_MARK} `, rank: Number.POSITIVE_INFINITY, keep: Number.MAX_SAFE_INTEGER }] : [];
}

export function subjectOfDocument(doc: NotificationDocument, options: { readonly mayRepeat?: boolean } = {}): string {
  const head = `[GuardDuty IR ${doc.outcome}] `;
  const exposed = doc.exposed.length > 0;
  const lead = exposed ? doc.exposed.join(' ') : `${doc.playbook}${doc.failedChanges.length > 0 ? ` FAILED ${doc.failedChanges.join(' ')}` : ''}`;
  const tail = exposed ? [doc.playbook] : [];
  const parts: Part[] = [
    ...markOf(options.mayRepeat),
    { text: head, rank: Number.POSITIVE_INFINITY, keep: Number.MAX_SAFE_INTEGER },
    { text: ascii(lead), rank: 4, keep: 12 },
    // The ENIs themselves matter more than saying they are left open (the outcome says it already).
    ...(exposed ? [{ text: ' left open', rank: 3.9, keep: 0 }] : []),
    { text: `: ${doc.severity.text}`, rank: Number.POSITIVE_INFINITY, keep: Number.MAX_SAFE_INTEGER },
    ...tail.map((text) => ({ text: ` ${text}`, rank: 3.5, keep: 0 })),
    ...(doc.resource ? [{ text: ` ${ascii(doc.resource.label)}`, rank: 3, keep: 0 }] : []),
    // The configured name or the IAM alias alone (room is short; the body shows the alias beside the id), else the id.
    { text: ` ${ascii(doc.account.alias ?? doc.account.shown)}/${ascii(doc.region ?? 'unknown region')}`, rank: 2, keep: 0 },
    { text: ` ${ascii(doc.findingType)}`, rank: 1, keep: 0 },
  ];
  return composeSubject(parts);
}
