import { isInstanceIncidentTag, networkInterfaceOfOriginalSgsTag, ORIGINAL_INSTANCE_PROFILE_TAG } from '../playbooks/contain-instance/names';

/*
 * What contain-instance wrote on the instance before it changed anything:
 * the security groups of each ENI (`ir:original-sgs:<eni-id>`, group ids
 * separated by spaces) and the instance profile it took off
 * (`ir:original-instance-profile`, an ARN or, for a very long one, the name).
 */

export interface RecordedGroups {
  readonly networkInterfaceId: string;
  readonly groupIds: readonly string[];
}

/** A record that is there but cannot be used: restoring from it would guess. */
export interface UnusableRecord {
  readonly networkInterfaceId: string;
  readonly value: string;
}

/** How AssociateIamInstanceProfile names the profile: by ARN, or by name when that is what was recorded. */
export type ProfileSpecifier = { readonly Arn: string } | { readonly Name: string };

export interface ContainmentRecord {
  readonly networkInterfaces: readonly RecordedGroups[];
  readonly unusable: readonly UnusableRecord[];
  readonly instanceProfile: ProfileSpecifier | null;
  /** Every tag the containment wrote on the instance, sorted: the ones a release removes. */
  readonly incidentTagKeys: readonly string[];
}

/** The shape of a group id; anything else in a record is not applied. */
const GROUP_ID = /^sg-[0-9a-z]+$/;

export function readContainmentRecord(tags: Readonly<Record<string, string>>): ContainmentRecord {
  const networkInterfaces: RecordedGroups[] = [];
  const unusable: UnusableRecord[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const networkInterfaceId = networkInterfaceOfOriginalSgsTag(key);
    if (!networkInterfaceId) continue;
    const groupIds = value.split(/\s+/).filter((part) => part !== '');
    if (groupIds.length > 0 && groupIds.every((id) => GROUP_ID.test(id))) networkInterfaces.push({ networkInterfaceId, groupIds });
    else unusable.push({ networkInterfaceId, value });
  }
  const profile = tags[ORIGINAL_INSTANCE_PROFILE_TAG]?.trim();
  return {
    networkInterfaces,
    unusable,
    instanceProfile: profile ? (profile.startsWith('arn:') ? { Arn: profile } : { Name: profile }) : null,
    incidentTagKeys: Object.keys(tags).filter(isInstanceIncidentTag).sort(),
  };
}

export function hasRecord(record: ContainmentRecord): boolean {
  return record.networkInterfaces.length > 0 || record.unusable.length > 0 || record.instanceProfile !== null;
}

export function describeProfile(profile: ProfileSpecifier): string {
  return 'Arn' in profile ? profile.Arn : profile.Name;
}

/** Whether an associated profile (always known by ARN) is the recorded one. */
export function isRecordedProfile(profile: ProfileSpecifier, associatedArn: string): boolean {
  return 'Arn' in profile ? profile.Arn === associatedArn : associatedArn.slice(associatedArn.lastIndexOf('/') + 1) === profile.Name;
}
