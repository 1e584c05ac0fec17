import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HEARTBEAT_DIMENSIONS, HEARTBEAT_METRIC, HEARTBEAT_NAMESPACE } from '../../lambda/heartbeat/metric-names';
import { heartbeatInvocation } from '../../lambda/heartbeat/synthetic-findings';
import type { EffectiveRule } from '../../lambda/routing/overrides';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { monitoringAlarmName } from '../naming';
import { alarmToTopic } from './topic-alarm';

export const HEARTBEAT_SCHEDULE = events.Schedule.rate(Duration.days(1));

/**
 * The heartbeat runs once a day; the alarm looks at hourly sums over 26
 * hours, every one of them missing or zero, before it fires: a day between
 * two heartbeats plus two hours of slack for a late or retried invocation.
 * Missing data is breaching: silence is exactly what this alarm is for.
 */
const ALARM_PERIOD = Duration.hours(1);
const ALARM_WINDOW_HOURS = 26;

export interface HeartbeatProps {
  readonly playbook: PlaybookName;
  readonly function: lambda.IFunction;
  /** The effective routing table (with the team's overrides): the synthetic finding must route to this playbook. */
  readonly routingTable: readonly EffectiveRule[];
  readonly topic: sns.ITopic;
}

export function heartbeatMetricOf(playbook: PlaybookName, fn: lambda.IFunction): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: HEARTBEAT_NAMESPACE,
    metricName: HEARTBEAT_METRIC,
    dimensionsMap: { [HEARTBEAT_DIMENSIONS.playbook]: playbook, [HEARTBEAT_DIMENSIONS.functionName]: fn.functionName },
    statistic: cloudwatch.Stats.SUM,
    period: ALARM_PERIOD,
  });
}

/**
 * Once a day, a synthetic sample finding through the playbook, in dry-run
 * (lambda/heartbeat/): it proves the function still starts, parses, routes,
 * reads with its role and plans, and publishes the Heartbeat metric. The
 * alarm fires when the metric stops.
 */
export class Heartbeat extends Construct {
  readonly rule: events.Rule;
  readonly missingAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HeartbeatProps) {
    super(scope, id);
    const { playbook } = props;
    const stack = Stack.of(this);
    // The function's own account and region: nothing is assumed, and the reads run with the playbook's own role.
    const invocation = heartbeatInvocation(playbook, { accountId: stack.account, region: stack.region, partition: stack.partition }, props.routingTable);

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Daily heartbeat of the ${playbook} playbook: a synthetic sample finding in dry-run, nothing is changed or notified`,
      schedule: HEARTBEAT_SCHEDULE,
      targets: [new targets.LambdaFunction(props.function, { event: events.RuleTargetInput.fromObject(invocation) })],
    });

    this.missingAlarm = alarmToTopic(this, 'MissingAlarm', {
      alarmName: monitoringAlarmName(stack.stackName, playbook, 'heartbeat-missing'),
      alarmDescription:
        `No heartbeat from the ${playbook} playbook for ${ALARM_WINDOW_HOURS} hours: it may not be answering findings. ` +
        'Look for "heartbeat unhealthy" or errors in its logs, and at the FailedInvocations of its heartbeat rule.',
      metric: heartbeatMetricOf(playbook, props.function),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: ALARM_WINDOW_HOURS,
      datapointsToAlarm: ALARM_WINDOW_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      topic: props.topic,
    });
  }
}
