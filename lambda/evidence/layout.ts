/*
 * Where an incident's evidence lives in the bucket:
 *
 *   incidents/<account>/<region>/<incident id>/<finding id>/finding.json
 *                                                          /plan.json
 *                                                          /describe.json
 *                                                          /console-output.txt
 *                                                          /report.json
 *
 * Account first, so a bucket policy or an S3 Access Grant can hand one
 * account's incidents to its owners. The same finding delivered again
 * writes the same keys: the bucket is versioned, so every delivery's record
 * is a version of its own, each one locked.
 *
 * A delivery GuardDuty did not confirm may be a forged copy of a real
 * finding (same id, sent by a direct Invoke or PutEvents). Its evidence is
 * kept too, but apart, so that it never becomes the latest version of the
 * genuine incident's objects:
 *
 *   incidents/unconfirmed/<account>/<region>/<incident id>/<finding id>/<delivery time>/finding.json ...
 *
 * Still under incidents/, the only prefix the responder may write; no
 * account id is 'unconfirmed' (the finding's account id is 12 digits).
 *
 * The records of manual releases (`ir release`, `ir brake release`) go
 * beside the incidents, in the folders of release-layout.ts.
 */

export const EVIDENCE_ROOT = 'incidents';

/** The folder (under EVIDENCE_ROOT) of the evidence of deliveries GuardDuty did not confirm. */
export const UNCONFIRMED_FOLDER = 'unconfirmed';

export const EVIDENCE_FILES = {
  finding: 'finding.json',
  plan: 'plan.json',
  describe: 'describe.json',
  consoleOutput: 'console-output.txt',
  report: 'report.json',
} as const;

export type EvidenceFile = (typeof EVIDENCE_FILES)[keyof typeof EVIDENCE_FILES];

const SEGMENT_MAX = 200;

/**
 * One path segment, safe in a key: finding ids come from the input, so
 * anything but letters, digits, '.', '_' and '-' becomes '_', and a segment
 * of dots only ("." or "..") cannot climb a console's folder view.
 */
export function keySegment(value: string | null | undefined, whenMissing: string): string {
  if (!value) return whenMissing;
  const safe = value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, SEGMENT_MAX);
  return /^\.+$/.test(safe) ? safe.replace(/\./g, '_') : safe;
}

export interface IncidentCoordinates {
  readonly accountId: string | null;
  readonly region: string | null;
  readonly incidentId: string;
  readonly findingId: string;
  /** Set for a delivery GuardDuty did not confirm: when it was answered (ISO time), its own folder under incidents/unconfirmed/. */
  readonly unconfirmedDeliveryAt?: string;
}

/** The incident's folder, ending in '/'. */
export function evidencePrefix(incident: IncidentCoordinates): string {
  const unconfirmed = incident.unconfirmedDeliveryAt !== undefined;
  return [
    EVIDENCE_ROOT,
    ...(unconfirmed ? [UNCONFIRMED_FOLDER] : []),
    keySegment(incident.accountId, 'no-account'),
    keySegment(incident.region, 'no-region'),
    keySegment(incident.incidentId, 'no-incident'),
    keySegment(incident.findingId, 'no-finding'),
    ...(unconfirmed ? [keySegment(incident.unconfirmedDeliveryAt, 'no-time')] : []),
    '',
  ].join('/');
}

export function evidenceKey(incident: IncidentCoordinates, file: EvidenceFile): string {
  return `${evidencePrefix(incident)}${file}`;
}
