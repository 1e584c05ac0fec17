import type { Finding } from './schema';

/* Small, total readers over a validated finding: they never throw. */

export function isSampleFinding(finding: Finding): boolean {
  return finding.service?.additionalInfo?.sample === true;
}

export function isArchivedFinding(finding: Finding): boolean {
  return finding.service?.archived === true;
}

export function resourceTypeOf(finding: Finding): string | undefined {
  return finding.resource?.resourceType ?? undefined;
}

export function resourceRoleOf(finding: Finding): string | undefined {
  return finding.service?.resourceRole ?? undefined;
}

export function instanceIdOf(finding: Finding): string | undefined {
  return finding.resource?.instanceDetails?.instanceId ?? undefined;
}

export function accessKeyOf(finding: Finding): NonNullable<NonNullable<Finding['resource']>['accessKeyDetails']> | undefined {
  return finding.resource?.accessKeyDetails ?? undefined;
}

/** Tags as GuardDuty saw them when it produced the finding (may be stale). */
export function findingInstanceTags(finding: Finding): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of finding.resource?.instanceDetails?.tags ?? []) {
    if (tag.key) tags[tag.key] = tag.value ?? '';
  }
  return tags;
}
