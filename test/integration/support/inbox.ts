import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/* The security team's inbox: the SQS queue subscribed to the notification topic. */

export interface Notification {
  readonly subject: string;
  readonly message: string;
}

interface SnsEnvelope {
  readonly Type?: string;
  readonly Subject?: string;
  readonly Message?: string;
}

/** Takes every message out of the queue (it is empty afterwards). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return bodies;
    for (const message of Messages) {
      bodies.push(message.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/** Every notification published since the last read, unwrapped from its SNS envelope. */
export async function readInbox(sqs: SQSClient, queueUrl: string): Promise<Notification[]> {
  const bodies = await drainQueue(sqs, queueUrl);
  return bodies.map((body) => {
    const envelope = JSON.parse(body) as SnsEnvelope;
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') throw new Error(`not an SNS notification: ${body.slice(0, 200)}`);
    return { subject: envelope.Subject ?? '', message: envelope.Message };
  });
}
