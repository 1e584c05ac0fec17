import { createHash } from 'node:crypto';
import type { PlaybookName } from '../lambda/routing/playbook-names';
import { roleNamePrefix } from '../lambda/iam/responder-role-names';

/*
 * Physical names the stack decides itself, so they are known before deploy:
 * the responder must recognise its own roles (IR_RESPONDER_ROLES) and
 * never revoke them.
 */

export const DEFAULT_STACK_NAME = 'GuardDutyIncidentResponse';
/** Context key naming the deployment (and so the first part of its role names). */
export const STACK_NAME_CONTEXT_KEY = 'incidentResponseStackName';

/** The security stack of one region, `<name>-<region>`; just `<name>` when the configuration lists no regions. */
export function securityStackName(name: string, region: string | undefined): string {
  return region ? `${name}-${region}` : name;
}

/** The stack of the member accounts: the one role the playbooks assume there. */
export function memberStackName(name: string): string {
  return `${name}Member`;
}

// The role names are built by lambda/iam/responder-role-names.ts: the playbooks rebuild the same list from
// IR_RESPONDER_ROLES, and a Lambda bundle may not import lib/.
export {
  approvalSchedulerRoleName,
  approvalSchedulerRoleNames,
  responderRoleName,
  responderRoleNames,
  roleNamePrefix,
} from '../lambda/iam/responder-role-names';

/**
 * The table of a brake every regional stack shares (blastRadius.homeRegion):
 * named by the deployment, not generated, so the stacks of the other regions
 * know it (and their roles can name its ARN) without reading the home stack.
 */
export function sharedBrakeTableName(stackName: string): string {
  return `${roleNamePrefix(stackName)}-blast-radius-brake`;
}

/** The shared brake table's ARN: in the home region, of the account the stacks are deployed to. */
export function sharedBrakeTableArn(refs: { readonly partition: string; readonly account: string }, homeRegion: string, stackName: string): string {
  return `arn:${refs.partition}:dynamodb:${homeRegion}:${refs.account}:table/${sharedBrakeTableName(stackName)}`;
}

/** CloudWatch alarm names: per region already, so no region part. */
export function failureAlarmName(stackName: string, playbook: PlaybookName | 'security-hub-note'): string {
  return `${stackName}-${playbook}-failed-invocations`;
}

/** The alarms of lib/monitoring/: `<stack>-<subject>-<what>`, so every one matches alarmNamePattern. */
export function monitoringAlarmName(stackName: string, subject: string, what: string): string {
  return `${stackName}-${subject}-${what}`;
}

/** Pattern matching every alarm this stack names, for the confused-deputy conditions of the topic and key policies. */
export function alarmNamePattern(stackName: string): string {
  return `${stackName}-*`;
}

export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The schedule group of the approval wait (lib/approval-schedules.ts): named by the stack, one per region, so the
 * playbook roles' schedule ARNs are known at synth. At most 64 characters of [0-9a-zA-Z-_.], hashed when cut.
 */
export function approvalScheduleGroupName(stackName: string): string {
  const name = `${stackName}-approvals`.replace(/[^0-9a-zA-Z\-_.]/g, '-');
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 64 - hash.length - 1)}-${hash}`;
}

/**
 * The chat decision function's name: short and fixed, because the chat buttons' command names it and a Chatbot
 * custom action's CommandText may hold at most 100 characters (lib/approval/chat-actions.ts). The hash of the
 * stack name keeps two stacks of one region apart.
 */
export function chatDecisionFunctionName(stackName: string): string {
  return `ir-chat-${createHash('sha256').update(stackName).digest('hex').slice(0, 12)}`;
}
