/*
 * The heartbeat metric, named once for the Lambda that publishes it (EMF,
 * metric.ts) and the CDK alarm and dashboard that read it. No SDK import
 * here: the CDK app loads this file.
 */

export const HEARTBEAT_NAMESPACE = 'GuardDutyIncidentResponse';
export const HEARTBEAT_METRIC = 'Heartbeat';
/** Per function, not just per playbook: two deployments in one region and account never count each other's heartbeats. */
export const HEARTBEAT_DIMENSIONS = { playbook: 'Playbook', functionName: 'FunctionName' } as const;
