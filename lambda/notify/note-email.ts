import { safeLine, safeSubject, untrusted as v, untrustedText as t } from '../text/untrusted';
import type { NoteDocument } from './note';
import { subjectOfNote } from './note';
import type { Fact } from './resources';

/*
 * A short note (lambda/notify/note.ts) as email text, in the order of a
 * response's email (lambda/notify/message.ts): the one-line summary first,
 * what it means, the facts, the commands, what to do, the links. Every value
 * is escaped on its way in (`v` a value, `t` a composed text) and every line
 * once more as a whole.
 */

function factLines(facts: readonly Fact[]): string[] {
  return facts.map((f) => `  ${v(f.label)}: ${t(f.value)}`);
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? [title, ...lines, ''] : [];
}

export function renderNoteEmail(note: NoteDocument, options: { readonly mayRepeat?: boolean } = {}): { subject: string; message: string } {
  const account = note.account.alias ? `${v(note.account.alias)} (${v(note.account.id ?? 'unknown')})` : v(note.account.shown);
  const lines = [
    `Summary: ${t(note.summary)}`,
    '',
    ...note.details.map((d) => t(d)),
    '',
    ...section('About', [
      ...(note.findingType ? [`  Finding: ${v(note.findingType)}${note.severity ? `, severity ${note.severity.text}` : ''}`] : []),
      ...(note.resource ? [`  Resource: ${t(note.resource.label)}`] : []),
      `  Account: ${account}, region ${v(note.region ?? 'unknown')}`,
      ...factLines(note.facts),
    ]),
    // The deployment's own names (regions, tables), exactly as they are to be typed.
    ...section('Commands', note.commands.map((c) => `  ${v(c.label)}: ${v(c.value, 1024)}`)),
    ...section('What a person must do next', note.nextSteps.map((s) => `  - ${t(s)}`)),
    ...section('Links', note.links.map((l) => `  ${t(l.label)}: ${v(l.url, 2048)}`)),
  ];
  return { subject: safeSubject(subjectOfNote(note, options)), message: lines.map(safeLine).join('\n').trimEnd() };
}
