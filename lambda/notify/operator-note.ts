import type { StepReport } from '../plan/document';
import type { StepLine } from './document';
import type { Fact } from './resources';

/*
 * The notification of a manual action (`ir release`, `ir release
 * --access-key`, `ir brake release`): one small typed document, from which
 * the email text (operator-note-email.ts) and the AWS Chatbot JSON
 * (operator-note-chat.ts) are both made, as a response's notification is
 * made from lambda/notify/document.ts. Values here are raw: each rendering
 * escapes everything for its own medium (lambda/text/untrusted.ts,
 * lambda/text/chat.ts), our own words included.
 */

export interface OperatorNote {
  /** The email subject before it is made SNS-safe (safeSubject); the chat summary too. */
  readonly subject: string;
  /** A word or two in capitals: RELEASED, INCOMPLETE RELEASE, BRAKE RELEASED. */
  readonly outcome: string;
  /** Something failed or was not kept: the chat title is marked for attention. */
  readonly attention: boolean;
  /** One line: what was done to what, by whom, with the counts. */
  readonly summary: string;
  /** The chat title's subject: what the note is about ("instance i-0abc in eu-west-1"). */
  readonly about: string;
  /** What people must not miss, before everything else. */
  readonly lead?: string;
  /** The heading of the facts ("The release"). */
  readonly factsHeading: string;
  readonly facts: readonly Fact[];
  readonly steps: readonly StepLine[];
  readonly nextSteps: readonly string[];
  readonly warnings: readonly string[];
  /** The chat message's id: one per note (a release's time makes it so). */
  readonly id: string;
  /** The chat thread: the incident's id, so a release lands under the incident's messages; the brake's engagement. */
  readonly threadId: string;
  /** Chatbot's metadata.eventType. */
  readonly eventType: string;
  readonly relatedResources: readonly string[];
  readonly context: Readonly<Record<string, string>>;
}

/** A step of a release report as a note's step line: the error, the reason or the detail as its note. */
export function noteStepLine(step: Pick<StepReport, 'status' | 'title' | 'action' | 'target' | 'detail' | 'reason' | 'error'>): StepLine {
  const note = step.status === 'failed' ? `${step.error?.code ?? 'UnknownError'}: ${step.error?.message ?? ''}` : step.status === 'skipped' ? step.reason : step.detail;
  return { status: step.status, title: step.title, action: step.action, target: step.target, ...(note ? { note } : {}) };
}
