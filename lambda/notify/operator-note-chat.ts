import { chatText as c } from '../text/chat';
import { TEXT_LIMIT } from '../text/untrusted';
import { CHAT_DESCRIPTION_LIMIT, CHAT_STEPS_SHOWN, type ChatbotNotification } from './chat';
import type { StepLine } from './document';
import type { OperatorNote } from './operator-note';

/*
 * The chat message of a manual action: the same operator note as the email
 * (operator-note.ts), as the AWS Chatbot custom notification a response's
 * chat copy is (lambda/notify/chat.ts), threaded under the incident (or the
 * brake's engagement). Every value, our own words included, goes through
 * chatText (lambda/text/chat.ts): no mention, link, code span or forged
 * emphasis can come from a tag, a reason or an error message.
 */

const STATUS: Readonly<Record<StepLine['status'], string>> = { done: 'DONE', skipped: 'SKIPPED', failed: 'FAILED' };
const NEXT_STEPS_SHOWN = 8;
const CUT_NOTE = '_(cut here: the email has the whole note)_';

function block(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? [`*${title}*`, ...lines, ''] : [];
}

function stepText(s: StepLine): string {
  return `• ${STATUS[s.status]} ${c(s.title, TEXT_LIMIT)}${s.note ? ` (${c(s.note, TEXT_LIMIT)})` : ''}`;
}

/** Lines up to Slack's section limit; the rest is said to be in the email. */
function bounded(lines: readonly string[]): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > CHAT_DESCRIPTION_LIMIT - CUT_NOTE.length - 1) {
      kept.push(CUT_NOTE);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join('\n').trimEnd();
}

export function renderOperatorNoteChat(note: OperatorNote): ChatbotNotification {
  const moreSteps = note.steps.length > CHAT_STEPS_SHOWN ? [`… and ${note.steps.length - CHAT_STEPS_SHOWN} more steps (in the email)`] : [];
  const description = [
    ...(note.lead ? [`*${c(note.lead, TEXT_LIMIT)}*`, ''] : []),
    `*Summary:* ${c(note.summary, TEXT_LIMIT)}`,
    '',
    ...block(c(note.factsHeading), note.facts.map((f) => `${c(f.label)}: ${c(f.value, TEXT_LIMIT)}`)),
    ...block('Steps', [...note.steps.slice(0, CHAT_STEPS_SHOWN).map(stepText), ...moreSteps]),
    ...block('Warnings', note.warnings.map((w) => `• ${c(w, TEXT_LIMIT)}`)),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: c(note.id),
    content: {
      textType: 'client-markdown',
      title: `${note.attention ? ':rotating_light:' : ':arrows_counterclockwise:'} ${c(note.outcome)}: ${c(note.about)}`,
      description: bounded(description),
      nextSteps: note.nextSteps.slice(0, NEXT_STEPS_SHOWN).map((s) => c(s, TEXT_LIMIT)),
      keywords: [c(note.outcome), c(note.eventType)],
    },
    metadata: {
      threadId: c(note.threadId),
      summary: c(note.subject, TEXT_LIMIT),
      eventType: c(note.eventType),
      relatedResources: note.relatedResources.map((r) => c(r)),
      additionalContext: Object.fromEntries(Object.entries(note.context).map(([key, value]) => [key, c(value)])),
    },
  };
}
