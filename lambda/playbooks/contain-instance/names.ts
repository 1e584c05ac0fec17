/*
 * Names and tag keys the playbook writes. Other tools (restoring an
 * instance, cleaning up after an incident) read the same keys, so they are
 * kept in one place.
 */

export const MANAGED_BY_TAG = 'ir:managed-by';
export const MANAGED_BY_VALUE = 'guardduty-ir';
export const PURPOSE_TAG = 'ir:purpose';

export type SecurityGroupPurpose = 'untrack' | 'isolation';
export const SECURITY_GROUP_PURPOSES: readonly SecurityGroupPurpose[] = ['untrack', 'isolation'];

/** The description the responder gives each group it creates (immutable after creation, like the name). */
export const SECURITY_GROUP_DESCRIPTIONS: Readonly<Record<SecurityGroupPurpose, string>> = {
  untrack: 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation',
  isolation: 'GuardDuty IR: no rules; isolates an instance',
};

/** The name every group of this purpose starts with (the whole name of a group made by an earlier version). */
export function securityGroupName(purpose: SecurityGroupPurpose): string {
  return `guardduty-ir-${purpose}`;
}

/**
 * The name of a group created now. GroupName is unique per VPC, and a group
 * already holding the plain name may be anyone's (names and tags are
 * writable by whoever can create a group): a fresh suffix means a creation
 * never collides with, and so never falls back to, a group it did not make.
 */
export function uniqueSecurityGroupName(purpose: SecurityGroupPurpose, suffix: string): string {
  return `${securityGroupName(purpose)}-${suffix}`;
}

const RESPONDER_GROUP_NAME = /^guardduty-ir-(untrack|isolation)(-[0-9a-f]{8,32})?$/;

/** Whether a name is one the responder gives its groups (this version's, with a suffix, or an earlier version's, without). */
export function isResponderGroupName(name: string, purpose?: SecurityGroupPurpose): boolean {
  const match = RESPONDER_GROUP_NAME.exec(name);
  return match !== null && (purpose === undefined || match[1] === purpose);
}

export const FINDING_ID_TAG = 'ir:finding-id';
export const FINDING_TYPE_TAG = 'ir:finding-type';
export const INCIDENT_ID_TAG = 'ir:incident-id';
export const SEVERITY_TAG = 'ir:severity';
export const ISOLATED_AT_TAG = 'ir:isolated-at';
export const SOURCE_INSTANCE_TAG = 'ir:source-instance';

const ORIGINAL_SGS_PREFIX = 'ir:original-sgs:';

export function originalSgsTagKey(networkInterfaceId: string): string {
  return `${ORIGINAL_SGS_PREFIX}${networkInterfaceId}`;
}

/** The ENI an `ir:original-sgs:<eni-id>` key records, or null for any other key. */
export function networkInterfaceOfOriginalSgsTag(key: string): string | null {
  return key.startsWith(ORIGINAL_SGS_PREFIX) && key.length > ORIGINAL_SGS_PREFIX.length ? key.slice(ORIGINAL_SGS_PREFIX.length) : null;
}

/** The instance profile the playbook took off the instance: its ARN (its name when the ARN does not fit in a tag value). */
export const ORIGINAL_INSTANCE_PROFILE_TAG = 'ir:original-instance-profile';

const INSTANCE_INCIDENT_TAGS: readonly string[] = [
  INCIDENT_ID_TAG,
  FINDING_ID_TAG,
  FINDING_TYPE_TAG,
  SEVERITY_TAG,
  ISOLATED_AT_TAG,
  ORIGINAL_INSTANCE_PROFILE_TAG,
];

/**
 * Whether the playbook writes this key on a contained instance. Other `ir:`
 * keys (the exempt tag, anything a team adds) are not the playbook's, so
 * releasing an instance never removes them.
 */
export function isInstanceIncidentTag(key: string): boolean {
  return INSTANCE_INCIDENT_TAGS.includes(key) || networkInterfaceOfOriginalSgsTag(key) !== null;
}

/** EC2 tag values are limited to 256 characters. */
export const MAX_TAG_VALUE_LENGTH = 256;
