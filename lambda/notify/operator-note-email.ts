import { safeLine, safeSubject, untrusted as v, untrustedText as t } from '../text/untrusted';
import type { StepLine } from './document';
import type { OperatorNote } from './operator-note';

/*
 * The email of a manual action: the operator note (operator-note.ts) as
 * plain text, in the order of a response's email (lambda/notify/message.ts):
 * what must not be missed, the one-line summary, the facts, every step,
 * what a person must do next, the warnings. Every value goes through
 * lambda/text/untrusted.ts, and every line once more as a whole: no value
 * (a tag read from the instance, a reason, an AWS error message) can start
 * a line of its own or forge a step.
 */

const MARKS: Record<StepLine['status'], string> = { done: 'DONE   ', skipped: 'SKIPPED', failed: 'FAILED ' };

function stepText(s: StepLine): string {
  return `  ${MARKS[s.status]} ${t(s.title)} [${v(s.action)} on ${t(s.target)}]${s.note ? ` -- ${t(s.note)}` : ''}`;
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? [title, ...lines, ''] : [];
}

export function renderOperatorNoteEmail(note: OperatorNote): { subject: string; message: string } {
  const lines = [
    ...(note.lead ? [t(note.lead)] : []),
    `Summary: ${t(note.summary)}`,
    '',
    ...section(v(note.factsHeading), note.facts.map((f) => `  ${v(f.label)}: ${t(f.value)}`)),
    ...section('Steps:', note.steps.map(stepText)),
    ...section('What a person must do next', note.nextSteps.map((s) => `  - ${t(s)}`)),
    ...section('Warnings:', note.warnings.map((w) => `  - ${t(w)}`)),
  ];
  return { subject: safeSubject(note.subject), message: lines.map(safeLine).join('\n').trimEnd() };
}
