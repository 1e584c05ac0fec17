import { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG } from '../contain-instance/names';

/*
 * The tags contain-task writes on a task definition revision, and the
 * reason it gives ECS when it stops a task. A team blocks the reuse of a
 * suspect revision with a policy on SUSPECT_TAG (docs/playbooks-contain-task.md).
 */

export const SUSPECT_TAG = 'ir:suspect';
export const SUSPECT_VALUE = 'true';
export { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG };

/** Every key TagResource may write (IAM holds the role to these: aws:TagKeys). */
export const TASK_DEFINITION_TAG_KEYS: readonly string[] = [SUSPECT_TAG, INCIDENT_ID_TAG, FINDING_ID_TAG, FINDING_TYPE_TAG];

/** ECS keeps at most 255 characters of a stop reason (StopTask `reason`). */
const STOP_REASON_MAX = 255;

/** The stop reason ECS shows on the stopped task: the incident and the finding, so whoever sees the task stopped knows why. */
export function stopReason(incidentId: string, findingType: string): string {
  return `GuardDuty incident response: incident ${incidentId}, finding ${findingType}`.slice(0, STOP_REASON_MAX);
}

/** A tag value as AWS tagging accepts it everywhere (letters, digits, spaces and + - = . _ : / @; at most 256 characters): a finding type may hold & or !. */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_').slice(0, 256);
}
