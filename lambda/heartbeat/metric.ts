import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PlaybookName } from '../routing/playbook-names';
import { HEARTBEAT_DIMENSIONS, HEARTBEAT_METRIC, HEARTBEAT_NAMESPACE } from './metric-names';

/**
 * Metrics as CloudWatch Embedded Metric Format on stdout: Lambda ships the
 * line to CloudWatch Logs, which turns it into the metric. No
 * cloudwatch:PutMetricData call, so no IAM action and nothing to fail at
 * run time. Powertools' default `service` dimension is dropped so the
 * metric has exactly the dimensions the alarm names.
 */
export function heartbeatMetrics(): Metrics {
  const metrics = new Metrics({ namespace: HEARTBEAT_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** One heartbeat of one playbook function: the value 1, which the heartbeat-missing alarm waits for. */
export function publishHeartbeat(metrics: Metrics, playbook: PlaybookName, functionName: string): void {
  metrics.addDimensions({ [HEARTBEAT_DIMENSIONS.playbook]: playbook, [HEARTBEAT_DIMENSIONS.functionName]: functionName });
  metrics.addMetric(HEARTBEAT_METRIC, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
