import { chatText as c } from '../text/chat';
import { safeSubject, TEXT_LIMIT } from '../text/untrusted';
import { block, bounded, CHAT_DESCRIPTION_LIMIT, CHAT_NEXT_STEPS_SHOWN, facts, type ChatbotNotification } from './chat';
import type { NoteDocument, NoteOutcome } from './note';
import { subjectOfNote } from './note';

/*
 * A short note (lambda/notify/note.ts) as an AWS Chatbot custom
 * notification, the same shape as a response's (lambda/notify/chat.ts) and
 * in the incident's thread. Every value from a finding or the ledger goes
 * through chatText; the commands are the deployment's own names, in code
 * spans (chatText turns any backtick into a quote, so none can end the span).
 */

const MARK: Readonly<Record<NoteOutcome, string>> = { REPEAT: ':repeat:', JOINED: ':link:', 'BRAKE LATCHED': ':octagonal_sign:' };

export function renderNoteChat(note: NoteDocument): ChatbotNotification {
  const account = note.account.alias ? `${c(note.account.alias)} (${c(note.account.id ?? 'unknown')})` : c(note.account.shown);
  const description = [
    `*Summary:* ${c(note.summary, TEXT_LIMIT)}`,
    '',
    ...note.details.map((d) => c(d, TEXT_LIMIT)),
    '',
    ...block('About', [
      ...(note.findingType ? [`Finding: ${c(note.findingType)}${note.severity ? `, severity *${note.severity.text}*` : ''}`] : []),
      ...(note.resource ? [`Resource: ${c(note.resource.label)}`] : []),
      `Account ${account}, region ${c(note.region ?? 'unknown')}`,
      ...facts(note.facts),
    ]),
    ...block('Commands', note.commands.map((x) => `${c(x.label)}: \`${c(x.value, TEXT_LIMIT)}\``)),
    ...block('Links', note.links.map((l) => `${c(l.label)}: ${l.url}`)),
  ];
  const subject = safeSubject(subjectOfNote(note));
  return {
    version: '1.0',
    source: 'custom',
    id: c(`${note.threadId}/${note.outcome}/${note.findingId ?? 'none'}`, TEXT_LIMIT),
    content: {
      textType: 'client-markdown',
      title: `${MARK[note.outcome]} ${note.outcome}: ${note.severity ? `${note.severity.text} ` : ''}${c(note.headline)}${note.resource ? ` ${c(note.resource.label)}` : ''}`,
      description: bounded(description, CHAT_DESCRIPTION_LIMIT),
      nextSteps: note.nextSteps.slice(0, CHAT_NEXT_STEPS_SHOWN).map((s) => c(s, TEXT_LIMIT)),
      keywords: [
        note.outcome,
        ...(note.severity ? [note.severity.label] : []),
        ...(note.playbook ? [note.playbook] : []),
        c(note.account.shown),
        c(note.region ?? 'unknown region'),
      ],
    },
    metadata: {
      threadId: c(note.threadId),
      summary: c(subject, TEXT_LIMIT),
      eventType: 'GuardDutyIncidentResponseNote',
      relatedResources: [...(note.resource ? [c(note.resource.id)] : []), ...(note.findingId ? [c(note.findingId)] : [])],
      additionalContext: {
        outcome: note.outcome,
        ...(note.incidentId ? { incidentId: c(note.incidentId) } : {}),
        ...(note.findingId ? { findingId: c(note.findingId) } : {}),
        ...(note.findingType ? { findingType: c(note.findingType) } : {}),
        ...(note.severity ? { severity: note.severity.text } : {}),
        account: c(note.account.id ?? 'unknown'),
        region: c(note.region ?? 'unknown'),
      },
    },
  };
}
