import { approvalChatContext } from '../approval/chat-context';
import { chatText as c } from '../text/chat';
import { TEXT_LIMIT } from '../text/untrusted';
import type { NotificationDocument, OUTCOMES, Outcome, StepLine } from './document';
import type { Fact } from './resources';
import { subjectOfDocument } from './subject';

/*
 * The chat message: the same notification document as the email, as an AWS
 * Chatbot (Amazon Q Developer in chat applications) custom notification,
 * which Chatbot renders for Slack and Microsoft Teams. Format: version "1.0",
 * source "custom", content { textType "client-markdown", title, description,
 * nextSteps, keywords }, metadata { threadId, summary, eventType,
 * relatedResources, additionalContext }.
 *
 * Every value from the finding or a resource goes through chatText
 * (lambda/text/chat.ts): no mention, link, code span or forged emphasis can
 * come from the attacker. Only our own console URLs are left as they are
 * (every value in them is URI-encoded, lambda/notify/links.ts).
 */

export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** Chat clients cut long messages (Slack's section text stops at 3,000 characters): the description stays under it, the email has everything. */
export const CHAT_DESCRIPTION_LIMIT = 2900;
export const CHAT_STEPS_SHOWN = 20;
export const CHAT_NEXT_STEPS_SHOWN = 8;
const CUT_NOTE = '_(cut here: the email has the whole report)_';

const MARK: Readonly<Record<(typeof OUTCOMES)[number], string>> = {
  'MORE EXPOSED THAN BEFORE': ':rotating_light:',
  'MOVED THEN PUT BACK - NOT CONTAINED': ':warning:',
  'ON THE ALLOW-ALL GROUP - NOT CHANGED': ':rotating_light:',
  PARTIAL: ':rotating_light:',
  'DONE - NOT CONTAINED': ':rotating_light:',
  'BRAKE ON - NOT CONTAINED': ':warning:',
  'EXEMPT - NOT CONTAINED': ':warning:',
  'MANUAL ACTION REQUIRED': ':rotating_light:',
  'NOT THE CALLER - MANUAL ACTION REQUIRED': ':rotating_light:',
  'PLAN ONLY': ':memo:',
  'AWAITING APPROVAL': ':raised_hand:',
  'DENIED - NOT CONTAINED': ':warning:',
  'DENIED - PARTLY CONTAINED': ':warning:',
  'STOOD DOWN - NOT CONTAINED': ':warning:',
  'STOOD DOWN - PARTLY CONTAINED': ':warning:',
  'POLICY SAYS NEVER - NOT CONTAINED': ':warning:',
  'POLICY SAYS NEVER - PARTLY CONTAINED': ':warning:',
  'NEEDS APPROVAL - NOT CONTAINED': ':raised_hand:',
  'NEEDS APPROVAL - PARTLY CONTAINED': ':raised_hand:',
  'ISOLATED - OWN GROUPS UNKNOWN': ':rotating_light:',
  DONE: ':white_check_mark:',
  'NO ACTION': ':mag:',
};

function markOf(outcome: Outcome): string {
  return outcome in MARK ? MARK[outcome as keyof typeof MARK] : ':hourglass:';
}

const STATUS: Readonly<Record<StepLine['status'], string>> = { done: 'DONE', skipped: 'SKIPPED', failed: 'FAILED' };

export function facts(list: readonly Fact[]): string[] {
  return list.map((f) => `${c(f.label)}: ${c(f.value, TEXT_LIMIT)}`);
}

export function block(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? [`*${title}*`, ...lines, ''] : [];
}

export function bullets(lines: readonly string[]): string[] {
  return lines.map((line) => `• ${line}`);
}

/** Lines up to the limit; the rest is said to be in the email. */
export function bounded(lines: readonly string[], limit: number): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > limit - CUT_NOTE.length - 1) {
      kept.push(CUT_NOTE);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join('\n').trimEnd();
}

function stepText(s: StepLine): string {
  return `${STATUS[s.status]} ${c(s.title, TEXT_LIMIT)}${s.note ? ` (${c(s.note, TEXT_LIMIT)})` : ''}`;
}

export function renderChat(n: NotificationDocument): ChatbotNotification {
  const account = n.account.alias ? `${c(n.account.alias)} (${c(n.account.id ?? 'unknown')})` : c(n.account.shown);
  const moreSteps = n.steps.length > CHAT_STEPS_SHOWN ? [`… and ${n.steps.length - CHAT_STEPS_SHOWN} more steps (in the email)`] : [];
  const description = [
    ...(n.lead ? [`*${c(n.lead, TEXT_LIMIT)}*`, ''] : []),
    // No line starts with a value from the finding: each has a label of ours first, as in the email.
    `*Summary:* ${c(n.summary, TEXT_LIMIT)}`,
    '',
    ...block('What GuardDuty found', [
      `Type: ${c(n.findingType)}, severity *${n.severity.text}*`,
      ...(n.finding.title ? [`Title: ${c(n.finding.title, TEXT_LIMIT)}`] : []),
      ...(n.finding.description ? [`Description: ${c(n.finding.description, 600)}`] : []),
      ...facts(n.finding.facts),
      `Account ${account}, region ${c(n.region ?? 'unknown')}; incident ${c(n.incidentId)}`,
    ]),
    ...n.resources.flatMap((r) => block(c(r.heading), facts(r.facts))),
    ...(n.blocked.length > 0 ? block('No changes were made, because', bullets(n.blocked.map((b) => `${c(b.id)}: ${c(b.reason, TEXT_LIMIT)}`))) : []),
    ...block('What changed', bullets(n.changes.map((x) => c(x, TEXT_LIMIT)))),
    ...block('Steps', [...bullets(n.steps.slice(0, CHAT_STEPS_SHOWN).map(stepText)), ...moreSteps]),
    ...block('Could not be done', bullets(n.couldNotDo.map((x) => c(x, TEXT_LIMIT)))),
    ...block('Links', n.links.map((l) => `${c(l.label)}: ${l.url}`)),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: `${n.incidentId}/${n.findingId}`,
    content: {
      textType: 'client-markdown',
      title: `${markOf(n.outcome)} ${n.outcome}: ${n.severity.text} ${n.playbook}${n.resource ? ` ${c(n.resource.label)}` : ''}`,
      description: bounded(description, CHAT_DESCRIPTION_LIMIT),
      nextSteps: n.nextSteps.slice(0, CHAT_NEXT_STEPS_SHOWN).map((s) => c(s, TEXT_LIMIT)),
      keywords: [n.outcome, n.severity.label, n.playbook, c(n.account.shown), c(n.region ?? 'unknown region')],
    },
    metadata: {
      // One thread per incident: a REPEAT or a later delivery lands under the first message.
      threadId: n.incidentId,
      summary: c(subjectOfDocument(n), TEXT_LIMIT),
      eventType: 'GuardDutyIncidentResponse',
      relatedResources: [...(n.resource ? [c(n.resource.id)] : []), c(n.findingId)],
      additionalContext: {
        incidentId: n.incidentId,
        findingId: n.findingId,
        findingType: c(n.findingType),
        outcome: n.outcome,
        severity: n.severity.text,
        account: c(n.account.id ?? 'unknown'),
        region: c(n.region ?? 'unknown'),
        // The approve and deny buttons (lib/approval/chat-actions.ts) show only on a response waiting for a decision.
        ...(n.approvalRequest ? approvalChatContext(n.incidentId, n.approvalRequest.planHash) : {}),
      },
    },
  };
}

export const MAY_REPEAT_LINE =
  'MAY REPEAT: an earlier attempt to send this notification was not answered by SNS, so it may have been delivered already; this is the same response, not a new one.';

/**
 * The chat copy of a notification sent again whose first attempt may have been delivered
 * (lambda/notify/undelivered.ts): marked in its title, its keywords and its first line, like the email.
 * `subject` is the marked subject, rendered from the document so that its severity is kept.
 */
export function mayRepeatChat(chat: ChatbotNotification, subject: string): ChatbotNotification {
  return {
    ...chat,
    id: `${chat.id}/may-repeat`,
    content: {
      ...chat.content,
      title: `:repeat: MAY REPEAT ${chat.content.title}`,
      description: bounded([`*${MAY_REPEAT_LINE}*`, '', ...chat.content.description.split('\n')], CHAT_DESCRIPTION_LIMIT),
      keywords: ['MAY REPEAT', ...chat.content.keywords],
    },
    metadata: { ...chat.metadata, summary: c(subject, TEXT_LIMIT) },
  };
}
