import { createHash } from 'node:crypto';
import type { PlaybookName } from '../lambda/routing/playbook-names';
import { PLAYBOOK_NAMES } from '../lambda/routing/playbook-names';

/*
 * Physical names the stack decides itself, so they are known before deploy:
 * the responder must recognise its own roles (IR_PROTECTED_ROLE_NAMES) and
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

const IAM_ROLE_NAME_MAX = 64;
/** Longest region name today is 14 characters (ap-southeast-7); leave room for longer ones. */
const REGION_NAME_BUDGET = 16;
const LONGEST_PLAYBOOK = Math.max(...PLAYBOOK_NAMES.map((name) => name.length));

/** The part of the stack name that fits in every role name, with a hash when cut so two long stack names cannot collide. */
function stackNamePrefix(stackName: string): string {
  const budget = IAM_ROLE_NAME_MAX - LONGEST_PLAYBOOK - REGION_NAME_BUDGET - 2;
  if (stackName.length <= budget) return stackName;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${stackName.slice(0, budget - hash.length - 1)}-${hash}`;
}

/**
 * `<stack>-<playbook>-<region>`. IAM is global but GuardDuty findings are
 * regional, so the stack is deployed once per region: the region keeps the
 * names of two deployments apart. `region` may be the AWS::Region token.
 */
export function responderRoleName(stackName: string, playbook: PlaybookName, region: string): string {
  return `${stackNamePrefix(stackName)}-${playbook}-${region}`;
}

/**
 * The role EventBridge Scheduler invokes the waiting playbooks with (lib/approval-schedules.ts), named like a playbook
 * role so the guardrails can protect it by name: a playbook role may pass it to Scheduler, so no playbook role may
 * change what it allows ("approval-scheduler" is no longer than the longest playbook name, so it fits the same budget).
 */
export function approvalSchedulerRoleName(stackName: string, region: string): string {
  return `${stackNamePrefix(stackName)}-approval-scheduler-${region}`;
}

/** The scheduler roles of a deployment, one per region: protected like the playbook roles (config `approval`). */
export function approvalSchedulerRoleNames(stackName: string, regions: readonly string[]): string[] {
  return regions.map((region) => approvalSchedulerRoleName(stackName, region));
}

/**
 * Every playbook role of a deployment, in each of its regions. IAM is
 * global: a finding in one region may name the responder's role of
 * another, and each regional responder must refuse it too.
 */
export function responderRoleNames(stackName: string, regions: readonly string[]): string[] {
  return regions.flatMap((region) => PLAYBOOK_NAMES.map((playbook) => responderRoleName(stackName, playbook, region)));
}

/**
 * The table of a brake every regional stack shares (blastRadius.homeRegion):
 * named by the deployment, not generated, so the stacks of the other regions
 * know it (and their roles can name its ARN) without reading the home stack.
 */
export function sharedBrakeTableName(stackName: string): string {
  return `${stackNamePrefix(stackName)}-blast-radius-brake`;
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
