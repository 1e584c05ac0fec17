import type { SNSClient } from '@aws-sdk/client-sns';
import { toStepError, type StepError } from '../aws/errors';
import type { OperatorNote } from './operator-note';
import { renderOperatorNoteChat } from './operator-note-chat';
import { renderOperatorNoteEmail } from './operator-note-email';
import { publishOnce } from './publish-once';

/*
 * Sends an operator note where a response's notification goes: the email
 * text on the stack's topic, and, when the stack has a chat topic (its
 * ChatTopicArn output), the Chatbot JSON there too, both from the one note.
 * Each Publish is sent once (publishOnce: an unanswered one is not repeated,
 * SNS may have delivered it). The two are independent: a chat message that
 * could not be posted does not hold the email back, and the other way round.
 */

export interface NoteTopics {
  readonly sns: SNSClient;
  readonly topicArn: string;
  /** The stack's chat topic (AWS Chatbot); absent when the stack has none. */
  readonly chatTopicArn?: string;
}

export interface NoteDelivery {
  readonly topicArn: string;
  readonly status: 'sent' | 'failed';
  readonly subject: string;
  readonly messageId?: string;
  readonly error?: StepError;
}

async function deliver(sns: SNSClient, topicArn: string, subject: string, message: string): Promise<NoteDelivery> {
  try {
    const messageId = await publishOnce(sns, topicArn, { subject, message });
    return { topicArn, status: 'sent', subject, ...(messageId ? { messageId } : {}) };
  } catch (error) {
    return { topicArn, status: 'failed', subject, error: toStepError(error) };
  }
}

export async function publishOperatorNote(topics: NoteTopics, note: OperatorNote): Promise<{ readonly email: NoteDelivery; readonly chat: NoteDelivery | null }> {
  const email = renderOperatorNoteEmail(note);
  const [sent, chat] = await Promise.all([
    deliver(topics.sns, topics.topicArn, email.subject, email.message),
    topics.chatTopicArn ? deliver(topics.sns, topics.chatTopicArn, email.subject, JSON.stringify(renderOperatorNoteChat(note))) : Promise.resolve(null),
  ]);
  return { email: sent, chat };
}
