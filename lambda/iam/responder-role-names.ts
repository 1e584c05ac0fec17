import { createHash } from 'node:crypto';
import * as z from '../zod';
import { PLAYBOOK_NAMES, type PlaybookName } from '../routing/playbook-names';

/*
 * The physical names of the responder's own roles, built the same way by the
 * stack (lib/naming.ts re-exports these) and by the playbooks, which must
 * recognise those roles and never revoke them. Lambda caps a function's
 * environment at 4 KB: every role name of 18 regions does not fit, so the
 * stack hands the playbooks what the names are made of (IR_RESPONDER_ROLES)
 * and they rebuild the list here, with the very functions the stack named
 * the roles with.
 */

const IAM_ROLE_NAME_MAX = 64;
/** Longest region name today is 14 characters (ap-southeast-7); leave room for longer ones. */
const REGION_NAME_BUDGET = 16;
const LONGEST_PLAYBOOK = Math.max(...PLAYBOOK_NAMES.map((name) => name.length));

/**
 * The part of the stack name that starts every role name, with a hash when cut so two long stack names cannot
 * collide. Every responder role name is `<this>-<playbook or approval-scheduler>-<region>`.
 */
export function roleNamePrefix(stackName: string): string {
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
  return `${roleNamePrefix(stackName)}-${playbook}-${region}`;
}

/** The middle part of the approval scheduler role's name, in the place of a playbook's. */
export const APPROVAL_SCHEDULER_ROLE_PART = 'approval-scheduler';

/**
 * The role EventBridge Scheduler invokes the waiting playbooks with (lib/approval-schedules.ts), named like a playbook
 * role so the guardrails can protect it by name: a playbook role may pass it to Scheduler, so no playbook role may
 * change what it allows ("approval-scheduler" is no longer than the longest playbook name, so it fits the same budget).
 */
export function approvalSchedulerRoleName(stackName: string, region: string): string {
  return `${roleNamePrefix(stackName)}-${APPROVAL_SCHEDULER_ROLE_PART}-${region}`;
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

/** What the responder's role names are made of: the deployment's name (before it is cut), its regions, whether it has scheduler roles. */
export const responderRolesSchema = z.strictObject({
  prefix: z.string().check(z.minLength(1)),
  regions: z.array(z.string().check(z.minLength(1))),
  scheduler: z.boolean(),
});
export type ResponderRoles = z.infer<typeof responderRolesSchema>;

/** Every role of the responder: the playbook roles of every region, then the scheduler roles when there are any. */
export function responderRoleNamesOf(roles: ResponderRoles): string[] {
  return [...responderRoleNames(roles.prefix, roles.regions), ...(roles.scheduler ? approvalSchedulerRoleNames(roles.prefix, roles.regions) : [])];
}
