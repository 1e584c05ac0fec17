import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { required } from './util';

/* The security team's topic, with a queue subscribed in place of the email inbox, so tests and the demo can read what was sent. */

export interface SeededNotifications {
  readonly topicArn: string;
  /** Receives the SNS envelope (Subject + Message) of every notification. */
  readonly inboxQueueUrl: string;
  readonly inboxQueueArn: string;
}

export async function seedNotifications(sns: SNSClient, sqs: SQSClient): Promise<SeededNotifications> {
  const topic = await sns.send(new CreateTopicCommand({ Name: 'guardduty-incident-response' }));
  const topicArn = required(topic.TopicArn, 'topic ARN');
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'security-team-inbox' }));
  const inboxQueueUrl = required(queue.QueueUrl, 'queue URL');
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxQueueUrl, AttributeNames: ['QueueArn'] }));
  const inboxQueueArn = required(attributes.Attributes?.QueueArn, 'queue ARN');
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxQueueArn }));
  return { topicArn, inboxQueueUrl, inboxQueueArn };
}
