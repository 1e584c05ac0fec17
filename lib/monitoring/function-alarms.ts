import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { monitoringAlarmName } from '../naming';
import { alarmToTopic } from './topic-alarm';

export interface FunctionAlarmsProps {
  readonly playbook: PlaybookName;
  readonly function: lambda.IFunction;
  readonly topic: sns.ITopic;
}

const PERIOD = Duration.minutes(5);

/**
 * A playbook that errors or is throttled may be leaving a finding
 * unanswered: the first one is worth a look. No invocations means no data,
 * which is healthy (the heartbeat alarm watches for silence).
 */
export class FunctionAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const { playbook, topic } = props;
    const stackName = Stack.of(this).stackName;
    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      topic,
    };
    this.errors = alarmToTopic(this, 'Errors', {
      ...common,
      alarmName: monitoringAlarmName(stackName, playbook, 'errors'),
      alarmDescription:
        `The ${playbook} playbook failed an invocation (bad input, a misrouted finding, or a failure worth a retry). ` +
        'EventBridge retries it; the finding lands in the on-failure queue if every retry fails. ' +
        'A duplicate delivery that meets an unanswered claim of the same incident also fails as retryable (being-answered) and counts as an error here: ' +
        'an occasional one is the ledger working, a steady stream is not. See the function logs.',
      metric: props.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
    });
    this.throttles = alarmToTopic(this, 'Throttles', {
      ...common,
      alarmName: monitoringAlarmName(stackName, playbook, 'throttles'),
      alarmDescription:
        `The ${playbook} playbook was throttled: more findings at once than its reserved concurrency. ` +
        'Lambda retries throttled asynchronous invocations, but a flood of findings delays every response.',
      metric: props.function.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
    });
  }
}
