import { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG } from '../contain-instance/names';

/*
 * Tag keys and names contain-database writes. The finding and incident keys
 * are contain-instance's own, so one search by `ir:incident-id` finds every
 * snapshot an incident took, of instances and databases alike.
 */

export { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG };

/** The DB instance or cluster a snapshot is of. */
export const SOURCE_DATABASE_TAG = 'ir:source-database';

export const DATABASE_SNAPSHOT_TAG_KEYS: readonly string[] = [FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, SOURCE_DATABASE_TAG];

/** RDS tag values: at most 256 characters. */
const MAX_TAG_VALUE = 256;

export function tagValue(value: string): string {
  return value.length <= MAX_TAG_VALUE ? value : value.slice(0, MAX_TAG_VALUE);
}

/**
 * The snapshot of a database for an incident: one name per incident and
 * database, so a second delivery (or an SDK retry whose answer was lost)
 * meets the first one's snapshot (DBSnapshotAlreadyExists) instead of
 * taking another. RDS snapshot identifiers: letters, digits and single
 * hyphens, a letter first, no hyphen last, at most 255 characters.
 */
export function databaseSnapshotIdentifier(incidentId: string, databaseIdentifier: string): string {
  const incident = incidentId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `ir-${incident}-${databaseIdentifier.toLowerCase()}`.replace(/-{2,}/g, '-').replace(/^ir-ir-/, 'ir-');
  return name.slice(0, 255).replace(/-+$/, '');
}
