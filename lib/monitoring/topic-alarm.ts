import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
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
