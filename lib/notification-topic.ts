import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alarmNamePattern } from './naming';

export interface NotificationTopicProps {
  readonly emails: readonly string[];
}

/**
 * The one topic every playbook reports to, and every alarm of the stack too.
 * Reports name instances, users and keys under attack, so the topic is
 * encrypted with a key of our own and refuses plain-HTTP publishers.
 */
export class NotificationTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the incident notifications of ${stack.stackName}`,
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'GuardDuty incident response',
      masterKey: this.key,
      enforceSSL: true,
    });

    // CloudWatch publishes every responder alarm (lib/monitoring/, the on-failure queue alarms): it needs the topic and, the topic being encrypted, the key.
    // The conditions keep it to alarms of this stack in this account (confused deputy).
    const ourAlarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: alarmNamePattern(stack.stackName),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromOurAlarms = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': ourAlarms } };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsUseKey',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );

    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
