import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface TopicAlarmProps extends cloudwatch.AlarmProps {
  /** Names the alarm explicitly: the topic and key policies only let alarms named `<stack>-*` publish (lib/notification-topic.ts). */
  readonly alarmName: string;
  readonly topic: sns.ITopic;
}

/**
 * An alarm that reports to the incident topic when it fires and again when
 * it clears: the team learns the responder is healthy again without
 * watching the console.
 */
export function alarmToTopic(scope: Construct, id: string, props: TopicAlarmProps): cloudwatch.Alarm {
  const { topic, ...alarmProps } = props;
  const alarm = new cloudwatch.Alarm(scope, id, alarmProps);
  const action = new cloudwatchActions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

export interface FailureQueueAlarmProps {
  readonly alarmName: string;
  readonly alarmDescription: string;
  /** The function's on-failure queue: an event lands there only after every retry failed. */
  readonly queue: sqs.IQueue;
  readonly topic: sns.ITopic;
}

/** The alarm of a function's on-failure queue: one event in it is one finding (or note) nobody answered, so it fires at once. */
export function failureQueueAlarm(scope: Construct, props: FailureQueueAlarmProps): cloudwatch.Alarm {
  return alarmToTopic(scope, 'FailedInvocationsAlarm', {
    alarmName: props.alarmName,
    alarmDescription: props.alarmDescription,
    metric: props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    topic: props.topic,
  });
}
