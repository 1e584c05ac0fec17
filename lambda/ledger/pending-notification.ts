import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { map, s, stringOf, type Item } from './attributes';

/*
 * A notification a response could not send, kept in its incident's record
 * for the next delivery (lambda/respond/gate.ts): the email as rendered and,
 * when the chat copy did not go out either, the chat copy (AWS Chatbot JSON).
 * Each is kept with its MAY REPEAT version too, rendered from the document
 * when it was built, so that the mark never costs the subject its severity.
 * Items written before chat copies were kept have the email alone: read as
 * they are, they are sent by email alone (the chat copy is not owed by them).
 */

export type Delivery = 'rejected' | 'unknown';

export interface OwedText {
  readonly subject: string;
  readonly message: string;
  /** The subject (and for chat the message) marked MAY REPEAT; absent in older items: the mark is put before the subject. */
  readonly mayRepeatSubject?: string;
  readonly mayRepeatMessage?: string;
}

export interface PendingChat extends OwedText {
  /** As for the email: rejected (absent) or unknown, each copy's own. */
  readonly delivery?: Delivery;
}

export interface PendingNotification extends OwedText {
  /** rejected: SNS refused it, nobody got it; unknown: the Publish was not answered, it may have been delivered. Absent: rejected. */
  readonly delivery?: Delivery;
  /** The chat copy, owed only when it did not go out either; absent: not owed (sent, no chat topic, or an older item). */
  readonly chat?: PendingChat;
}

function deliveryOf(value: string | undefined): { delivery?: Delivery } {
  return value !== undefined ? { delivery: value === 'unknown' ? 'unknown' : 'rejected' } : {};
}

function textOf(item: Item | undefined): OwedText | undefined {
  const subject = stringOf(item, 'subject');
  const message = stringOf(item, 'message');
  if (subject === undefined || message === undefined) return undefined;
  const mayRepeatSubject = stringOf(item, 'mayRepeatSubject');
  const mayRepeatMessage = stringOf(item, 'mayRepeatMessage');
  return { subject, message, ...(mayRepeatSubject !== undefined ? { mayRepeatSubject } : {}), ...(mayRepeatMessage !== undefined ? { mayRepeatMessage } : {}) };
}

/** The pending notification of a record's item, or none (absent, or not readable as one). */
export function pendingNotificationOf(value: AttributeValue | undefined): PendingNotification | undefined {
  const pending = value?.M;
  const email = textOf(pending);
  if (!email) return undefined;
  const chatItem = pending?.chat?.M;
  const chat = textOf(chatItem);
  return { ...email, ...deliveryOf(stringOf(pending, 'delivery')), ...(chat ? { chat: { ...chat, ...deliveryOf(stringOf(chatItem, 'delivery')) } } : {}) };
}

function textValue(text: OwedText & { readonly delivery?: Delivery }) {
  return {
    subject: s(text.subject),
    message: s(text.message),
    ...(text.mayRepeatSubject !== undefined ? { mayRepeatSubject: s(text.mayRepeatSubject) } : {}),
    ...(text.mayRepeatMessage !== undefined ? { mayRepeatMessage: s(text.mayRepeatMessage) } : {}),
    ...(text.delivery ? { delivery: s(text.delivery) } : {}),
  };
}

export function pendingNotificationValue(pending: PendingNotification) {
  return map({ ...textValue(pending), ...(pending.chat ? { chat: map(textValue(pending.chat)) } : {}) });
}
