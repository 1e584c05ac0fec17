import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RoutingRule } from '../routing-rules';
import { monitoringAlarmName } from '../naming';
import { alarmToTopic } from './topic-alarm';

export interface RuleAlarmsProps {
  readonly rules: readonly RoutingRule[];
  readonly topic: sns.ITopic;
}

/** AWS/Events FailedInvocations of one rule: events it matched but could not deliver to its target. */
export function failedInvocationsOf(rule: events.IRule): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName: 'FailedInvocations',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });
}

/**
 * A finding EventBridge matched but could not hand to its playbook (the
 * function deleted, its resource policy broken) is lost without a trace in
 * the function's own metrics: this is the only place it shows.
 */
export class RuleAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RuleAlarmsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.alarms = props.rules.map(({ compiled, rule }) =>
      alarmToTopic(this, compiled.id, {
        alarmName: monitoringAlarmName(stackName, `rule-${compiled.id}`, 'failed-invocations'),
        alarmDescription:
          `EventBridge could not deliver a GuardDuty finding matched by the ${compiled.id} rule to the ${compiled.playbook} playbook: ` +
          'the finding was not answered. Check the function exists and its resource policy lets events.amazonaws.com invoke it.',
        metric: failedInvocationsOf(rule),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        topic: props.topic,
      }),
    );
  }
}
