import { chatText as c } from '../text/chat';
import { safeSubject, TEXT_LIMIT } from '../text/untrusted';
import { block, bounded, bullets, CHAT_DESCRIPTION_LIMIT, CHAT_NEXT_STEPS_SHOWN, CHAT_STEPS_SHOWN, facts, type ChatbotNotification } from './chat';
import type { StepLine } from './document';
import type { OperatorNote } from './operator-note';

/*
 * The chat message of a manual action: the same operator note as the email
 * (operator-note.ts), as the AWS Chatbot custom notification a response's
 * chat copy is (lambda/notify/chat.ts, whose blocks and bounds it uses),
 * threaded under the incident (or the brake's engagement). Every value, our
 * own words included, goes through chatText (lambda/text/chat.ts): no
 * mention, link, code span or forged emphasis can come from a tag, a reason
 * or an error message.
 */

const STATUS: Readonly<Record<StepLine['status'], string>> = { done: 'DONE', skipped: 'SKIPPED', failed: 'FAILED' };

function stepText(s: StepLine): string {
  return `${STATUS[s.status]} ${c(s.title, TEXT_LIMIT)}${s.note ? ` (${c(s.note, TEXT_LIMIT)})` : ''}`;
}

export function renderOperatorNoteChat(note: OperatorNote): ChatbotNotification {
  const moreSteps = note.steps.length > CHAT_STEPS_SHOWN ? [`… and ${note.steps.length - CHAT_STEPS_SHOWN} more steps (in the email)`] : [];
  const description = [
    ...(note.lead ? [`*${c(note.lead, TEXT_LIMIT)}*`, ''] : []),
    `*Summary:* ${c(note.summary, TEXT_LIMIT)}`,
    '',
    ...block(c(note.factsHeading), facts(note.facts)),
    ...block('Steps', [...bullets(note.steps.slice(0, CHAT_STEPS_SHOWN).map(stepText)), ...moreSteps]),
    ...block('Warnings', bullets(note.warnings.map((w) => c(w, TEXT_LIMIT)))),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: c(note.id, TEXT_LIMIT),
    content: {
      textType: 'client-markdown',
      title: `${note.attention ? ':rotating_light:' : ':arrows_counterclockwise:'} ${c(note.outcome)}: ${c(note.about)}`,
      description: bounded(description, CHAT_DESCRIPTION_LIMIT),
      nextSteps: note.nextSteps.slice(0, CHAT_NEXT_STEPS_SHOWN).map((s) => c(s, TEXT_LIMIT)),
      keywords: [c(note.outcome), c(note.eventType)],
    },
    metadata: {
      threadId: c(note.threadId),
      // The email's subject, as SNS got it.
      summary: c(safeSubject(note.subject), TEXT_LIMIT),
      eventType: c(note.eventType),
      relatedResources: note.relatedResources.map((r) => c(r)),
      additionalContext: Object.fromEntries(Object.entries(note.context).map(([key, value]) => [key, c(value)])),
    },
  };
}
