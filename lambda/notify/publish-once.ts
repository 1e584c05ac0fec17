import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { atMostOnce, callWithin } from '../aws/at-most-once';
import { NOTIFICATION_CALL_LIMIT_MS } from '../plan/end-of-response';

export interface Notification {
  readonly subject: string;
  readonly message: string;
}

/**
 * Publishes one notification, once: a Publish whose answer did not come
 * (timeout, reset, 5xx) is not sent again by the SDK, since SNS may have
 * delivered it (OutcomeUnknownError); a throttled one was refused before
 * delivery and is retried by the SDK. Waited for NOTIFICATION_CALL_LIMIT_MS
 * at most, the notification's share of the end of a response.
 */
export async function publishOnce(sns: SNSClient, topicArn: string, notification: Notification, limitMs: number = NOTIFICATION_CALL_LIMIT_MS): Promise<string | undefined> {
  const command = new PublishCommand({ TopicArn: topicArn, Subject: notification.subject, Message: notification.message });
  atMostOnce('Publish', command.middlewareStack);
  const result = await callWithin('Publish', limitMs, (abortSignal) => sns.send(command, { abortSignal }));
  return result.MessageId;
}
