import type { RecordedTargetGroup, RecordedVolume, RestoreRecord } from '../ledger/restore-record';
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
  /**
   * What only the ledger's restore record holds (lambda/ledger/restore-record.ts); absent when the
   * record is the tags alone, which never held them.
   */
  readonly ledger?: LedgerOnlyRecord;
}

/** The parts of a containment only the ledger records. */
export interface LedgerOnlyRecord {
  /** The ledger item the record was read from. */
  readonly key: string;
  readonly revision: number;
  readonly incidentId: string | null;
  readonly autoScalingGroup: string | null;
  readonly targetGroups: readonly RecordedTargetGroup[];
  /** Termination protection before the containment; null when it was not recorded. */
  readonly terminationProtection: boolean | null;
  readonly volumes: readonly RecordedVolume[];
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

/**
 * The record from the ledger, which the responder wrote itself before it
 * changed anything; the tags only name the keys a release removes. A group
 * id of the wrong shape is unusable here too: restoring from it would guess.
 */
export function recordFromLedger(restore: RestoreRecord, tags: Readonly<Record<string, string>>): ContainmentRecord {
  const networkInterfaces: RecordedGroups[] = [];
  const unusable: UnusableRecord[] = [];
  for (const eni of restore.networkInterfaces) {
    if (eni.groupIds.length > 0 && eni.groupIds.every((id) => GROUP_ID.test(id))) networkInterfaces.push(eni);
    else unusable.push({ networkInterfaceId: eni.networkInterfaceId, value: eni.groupIds.join(' ') });
  }
  return {
    networkInterfaces,
    unusable,
    instanceProfile: restore.instanceProfileArn ? { Arn: restore.instanceProfileArn } : null,
    incidentTagKeys: Object.keys(tags).filter(isInstanceIncidentTag).sort(),
    ledger: {
      key: restore.key,
      revision: restore.revision,
      incidentId: restore.incidentId ?? null,
      autoScalingGroup: restore.autoScalingGroup ?? null,
      targetGroups: restore.targetGroups,
      terminationProtection: restore.terminationProtection ?? null,
      volumes: restore.volumes,
    },
  };
}

/**
 * Where the tags (anyone who can tag the instance can write them) say other
 * than the ledger: the ledger wins, and the report says so. Each line names
 * the tag key; values are escaped by whoever prints them.
 */
export function tagDisagreements(ledger: ContainmentRecord, tags: Readonly<Record<string, string>>): string[] {
  const fromTags = readContainmentRecord(tags);
  const lines: string[] = [];
  const sorted = (ids: readonly string[]) => [...ids].sort().join(' ');
  for (const tagged of [...fromTags.networkInterfaces, ...fromTags.unusable.map((u) => ({ networkInterfaceId: u.networkInterfaceId, groupIds: [u.value] }))]) {
    const recorded = ledger.networkInterfaces.find((r) => r.networkInterfaceId === tagged.networkInterfaceId);
    if (!recorded || sorted(recorded.groupIds) !== sorted(tagged.groupIds)) {
      lines.push(
        `The tag of ${tagged.networkInterfaceId} says ${JSON.stringify(tagged.groupIds.join(' '))}, the ledger ${recorded ? JSON.stringify(recorded.groupIds.join(' ')) : 'has no record of it'}: ` +
          'the ledger wins (the tag is not applied). Find out who tagged the instance.',
      );
    }
  }
  const taggedProfile = fromTags.instanceProfile ? describeProfile(fromTags.instanceProfile) : null;
  const ledgerProfile = ledger.instanceProfile ? describeProfile(ledger.instanceProfile) : null;
  if (taggedProfile !== null && taggedProfile !== ledgerProfile && !(ledger.instanceProfile && fromTags.instanceProfile && 'Name' in fromTags.instanceProfile && isRecordedProfile(fromTags.instanceProfile, describeProfile(ledger.instanceProfile)))) {
    lines.push(`The tag ${ORIGINAL_INSTANCE_PROFILE_TAG} says ${JSON.stringify(taggedProfile)}, the ledger ${ledgerProfile ? JSON.stringify(ledgerProfile) : 'records no profile'}: the ledger wins.`);
  }
  return lines;
}
