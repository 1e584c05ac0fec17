import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import type { PlaybookFunction } from '../playbook-function';
import type { RoutingRule } from '../routing-rules';
import { heartbeatMetricOf } from './heartbeat';
import { failedInvocationsOf } from './rule-alarms';

export interface ResponderDashboardProps {
  readonly playbooks: Readonly<Record<PlaybookName, PlaybookFunction>>;
  readonly rules: readonly RoutingRule[];
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * Every real finding's "playbook finished" line (lambda/runtime/handle.ts),
 * heartbeats left out, counted by finding type and outcome.
 */
export const FINDINGS_BY_TYPE_AND_OUTCOME_QUERY = [
  'fields findingType, outcome',
  'filter message = "playbook finished" and trigger = "finding"',
  'stats count(*) as findings by findingType, outcome',
  'sort findings desc',
];

export const LATEST_RESPONSES_QUERY = [
  'fields @timestamp, playbook, findingType, outcome, findingId, incidentId, dryRun',
  'filter message = "playbook finished" and trigger = "finding"',
  'sort @timestamp desc',
  'limit 50',
];

const WIDTH = 24;
const HALF = 12;

/** One dashboard, named after the stack: what the responder answered, and whether it is healthy. */
export class ResponderDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ResponderDashboardProps) {
    super(scope, id);
    const playbooks = PLAYBOOK_NAMES.map((name) => ({ name, playbook: props.playbooks[name] }));
    const logGroupNames = playbooks.map(({ playbook }) => playbook.logGroup.logGroupName);
    const perPlaybook = (metricOf: (p: PlaybookFunction, name: PlaybookName) => cloudwatch.Metric, label: string) =>
      playbooks.map(({ name, playbook }) => metricOf(playbook, name).with({ label: `${name} ${label}` }));
    const fiveMinutes = Duration.minutes(5);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.LogQueryWidget({
            title: 'Findings by type and outcome (heartbeats excluded)',
            logGroupNames,
            queryLines: FINDINGS_BY_TYPE_AND_OUTCOME_QUERY,
            view: cloudwatch.LogQueryVisualizationType.TABLE,
            width: WIDTH,
            height: 8,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Responder alarms', alarms: [...props.alarms], width: WIDTH, height: 4 })],
        [
          new cloudwatch.GraphWidget({
            title: 'Playbook errors',
            left: perPlaybook((p) => p.function.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }), 'errors'),
            width: HALF,
          }),
          new cloudwatch.GraphWidget({
            title: 'Playbook throttles',
            left: perPlaybook((p) => p.function.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }), 'throttles'),
            width: HALF,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Heartbeats (one a day per playbook)',
            left: perPlaybook((p, name) => heartbeatMetricOf(name, p.function).with({ period: Duration.days(1) }), 'heartbeats'),
            width: HALF,
          }),
          new cloudwatch.GraphWidget({
            title: 'On-failure queue depth (findings that failed every retry)',
            left: perPlaybook(
              (p) => p.failureQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
              'queue',
            ),
            width: HALF,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'EventBridge failed invocations per routing rule',
            left: props.rules.map(({ compiled, rule }) => failedInvocationsOf(rule).with({ label: compiled.id })),
            width: HALF,
          }),
          new cloudwatch.LogQueryWidget({
            title: 'Latest responses',
            logGroupNames,
            queryLines: LATEST_RESPONSES_QUERY,
            view: cloudwatch.LogQueryVisualizationType.TABLE,
            width: HALF,
          }),
        ],
      ],
    });
  }
}
