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

/** EC2 tag values are limited to 256 characters. */
export const MAX_TAG_VALUE_LENGTH = 256;
