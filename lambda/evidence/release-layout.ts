import { EVIDENCE_ROOT, keySegment } from './layout';

/*
 * Where a manual release keeps its record in the evidence bucket, beside the
 * incident it ends (lambda/evidence/layout.ts has the incidents' own files):
 *
 *   incidents/<account>/<region>/<incident id>/releases/<time>-release.json
 *       `ir release <instance>` and `ir release --access-key`, when the
 *       restore record names the incident;
 *   incidents/<account>/<region>/no-incident/<resource id>/releases/<time>-release.json
 *       a release whose record names no incident (restored from the tags);
 *   incidents/brake/<region>/<engagement id>/<time>-release.json
 *       `ir brake release`: the brake is no incident of one account.
 *
 * Still under incidents/, the prefix the responder's writers may write to.
 * None of these can meet an incident's own objects: "releases" is no finding
 * id (GuardDuty's are 32 hex digits), "no-incident" no incident id (they
 * start with "ir-"), and "brake" no account id (12 digits). The time makes
 * every release an object of its own (the bucket is versioned and locked
 * anyway, so nothing is ever overwritten).
 */

export const RELEASES_FOLDER = 'releases';
export const NO_INCIDENT_FOLDER = 'no-incident';
export const BRAKE_FOLDER = 'brake';
export const RELEASE_FILE_SUFFIX = '-release.json';

/** 2026-12-06T21:23:46.123Z as 2026-12-06T212346.123Z: a key segment that sorts by time, without the colons a console shows escaped. */
export function keyTime(at: Date): string {
  return at.toISOString().replace(/:/g, '');
}

export interface ReleaseCoordinates {
  readonly accountId: string | null;
  readonly region: string | null;
  /** The incident the released resource's restore record belongs to; null when it names none. */
  readonly incidentId: string | null;
  /** The instance id or access key id: the folder of a release without an incident. */
  readonly resourceId: string;
  readonly at: Date;
}

/** The key of the record of `ir release` (instance or access key). */
export function releaseEvidenceKey(release: ReleaseCoordinates): string {
  const incidentFolder = release.incidentId ? [keySegment(release.incidentId, NO_INCIDENT_FOLDER)] : [NO_INCIDENT_FOLDER, keySegment(release.resourceId, 'no-resource')];
  return [
    EVIDENCE_ROOT,
    keySegment(release.accountId, 'no-account'),
    keySegment(release.region, 'no-region'),
    ...incidentFolder,
    RELEASES_FOLDER,
    `${keyTime(release.at)}${RELEASE_FILE_SUFFIX}`,
  ].join('/');
}

/** The key of the record of `ir brake release`. */
export function brakeReleaseEvidenceKey(release: { readonly region: string; readonly engagementId: string; readonly at: Date }): string {
  return [EVIDENCE_ROOT, BRAKE_FOLDER, keySegment(release.region, 'no-region'), keySegment(release.engagementId, 'no-engagement'), `${keyTime(release.at)}${RELEASE_FILE_SUFFIX}`].join('/');
}
