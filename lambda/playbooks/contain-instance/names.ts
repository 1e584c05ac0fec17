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

/** GroupName is unique per VPC, so a deterministic name makes a concurrent creation fail with InvalidGroup.Duplicate instead of creating a twin. */
export function securityGroupName(purpose: SecurityGroupPurpose): string {
  return `guardduty-ir-${purpose}`;
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
