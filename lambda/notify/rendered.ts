import type { OwedText, PendingNotification } from '../ledger/pending-notification';
import { mayRepeatChat, renderChat } from './chat';
import type { NotificationDocument } from './document';
import { renderEmail } from './message';
import type { NoteDocument } from './note';
import { subjectOfNote } from './note';
import { renderNoteChat } from './note-chat';
import { renderNoteEmail } from './note-email';
import { subjectOfDocument } from './subject';
import { safeSubject } from '../text/untrusted';

/*
 * One notification as it goes out, by email and in chat, each also as it
 * goes out again when its first attempt may have been delivered (MAY
 * REPEAT): what a response publishes, and what it keeps in the ledger when
 * it could not (lambda/ledger/pending-notification.ts). Rendered once from
 * the document, so that the copy sent later says what the first would have.
 */

export interface Rendered extends OwedText {
  readonly mayRepeatSubject: string;
  readonly chat: Required<OwedText>;
}

export function renderedNotification(doc: NotificationDocument): Rendered {
  const email = renderEmail(doc);
  const chat = renderChat(doc);
  const mayRepeatSubject = safeSubject(subjectOfDocument(doc, { mayRepeat: true }));
  return {
    ...email,
    mayRepeatSubject,
    chat: { subject: email.subject, message: JSON.stringify(chat), mayRepeatSubject, mayRepeatMessage: JSON.stringify(mayRepeatChat(chat, mayRepeatSubject)) },
  };
}

export function renderedNote(note: NoteDocument): Rendered {
  const email = renderNoteEmail(note);
  const chat = renderNoteChat(note);
  const mayRepeatSubject = safeSubject(subjectOfNote(note, { mayRepeat: true }));
  return {
    ...email,
    mayRepeatSubject,
    chat: { subject: email.subject, message: JSON.stringify(chat), mayRepeatSubject, mayRepeatMessage: JSON.stringify(mayRepeatChat(chat, mayRepeatSubject)) },
  };
}

/** What is owed when the email could not be sent: the chat copy too when it did not go out either (`chat` set), else the email alone. */
export function owedOf(rendered: OwedText & { readonly chat?: OwedText }, delivery: PendingNotification['delivery'], chat: { readonly delivery: PendingNotification['delivery'] } | undefined): PendingNotification {
  const { subject, message, mayRepeatSubject, mayRepeatMessage } = rendered;
  return {
    subject,
    message,
    ...(mayRepeatSubject !== undefined ? { mayRepeatSubject } : {}),
    ...(mayRepeatMessage !== undefined ? { mayRepeatMessage } : {}),
    ...(delivery ? { delivery } : {}),
    ...(chat && rendered.chat ? { chat: { ...rendered.chat, ...(chat.delivery ? { delivery: chat.delivery } : {}) } } : {}),
  };
}
