import type { NotificationDocument } from './document';
import type { NotificationLink } from './links';
import type { Fact, PrimaryResource } from './resources';
import type { Severity } from './severity';
import { ascii, composeSubject, markOf, type Part } from './subject';

/*
 * The short notes: a later delivery whose count grew (REPEAT), a new finding
 * that joined an answered incident (JOINED), the blast-radius brake latching
 * (BRAKE LATCHED). Each is one typed document, like a response's
 * notification (lambda/notify/document.ts), rendered as email text
 * (note-email.ts) and as AWS Chatbot JSON (note-chat.ts), so the two say the
 * same thing. Values are raw here: each rendering escapes for its medium.
 */

export const NOTE_OUTCOMES = ['REPEAT', 'JOINED', 'BRAKE LATCHED'] as const;
export type NoteOutcome = (typeof NOTE_OUTCOMES)[number];

export interface NoteDocument {
  readonly outcome: NoteOutcome;
  /** Right after the outcome in the subject, the note's point: "seen 5 times", the incident id, "no more containments in eu-west-1". */
  readonly headline: string;
  /** The finding's; absent only for a brake latched by a response whose finding is not at hand. */
  readonly severity?: Severity;
  readonly playbook?: string;
  readonly findingType?: string;
  readonly findingId?: string;
  readonly incidentId?: string;
  readonly account: NotificationDocument['account'];
  readonly region: string | null;
  readonly resource?: PrimaryResource;
  /** One line: what happened, to what, where. */
  readonly summary: string;
  /** What the note explains, a sentence or two each. */
  readonly details: readonly string[];
  /** The facts a person looks up: finding, incident, ledger. */
  readonly facts: readonly Fact[];
  /** Commands to run, exactly (our own text: regions and table names of the deployment, never the finding's). */
  readonly commands: readonly Fact[];
  readonly nextSteps: readonly string[];
  readonly links: readonly NotificationLink[];
  /** The chat thread it belongs in: the incident's, so that a note lands under the incident's first message. */
  readonly threadId: string;
}

/**
 * "[GuardDuty IR REPEAT] seen 5 times: HIGH 8.0 contain-instance i-0abc (web-1) prod/eu-west-1 <type>",
 * within SNS's limit by the rules of lambda/notify/subject.ts: the mark, the outcome and the severity are never
 * shortened; the finding type goes first, then the playbook, the account and region, the resource, the headline.
 */
export function subjectOfNote(note: NoteDocument, options: { readonly mayRepeat?: boolean } = {}): string {
  const account = note.account.alias ?? (note.account.id ?? undefined);
  const parts: Part[] = [
    ...markOf(options.mayRepeat),
    { text: `[GuardDuty IR ${note.outcome}] `, rank: Number.POSITIVE_INFINITY, keep: Number.MAX_SAFE_INTEGER },
    { text: ascii(note.headline), rank: 4, keep: 12 },
    // Without a severity (a brake whose finding is not at hand), the rest still follows a colon.
    { text: note.severity ? `: ${note.severity.text}` : ':', rank: Number.POSITIVE_INFINITY, keep: Number.MAX_SAFE_INTEGER },
    ...(note.playbook ? [{ text: ` ${ascii(note.playbook)}`, rank: 1.5, keep: 0 }] : []),
    ...(note.resource ? [{ text: ` ${ascii(note.resource.label)}`, rank: 3, keep: 0 }] : []),
    // An account not known (a brake whose finding is not at hand) is left out rather than named "unknown".
    ...(account ? [{ text: ` ${ascii(account)}/${ascii(note.region ?? 'unknown region')}`, rank: 2, keep: 0 }] : []),
    ...(note.findingType ? [{ text: ` ${ascii(note.findingType)}`, rank: 1, keep: 0 }] : []),
  ];
  return composeSubject(parts);
}
