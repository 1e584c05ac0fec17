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
 */

export const EVIDENCE_ROOT = 'incidents';

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
}

/** The incident's folder, ending in '/'. */
export function evidencePrefix(incident: IncidentCoordinates): string {
  return [
    EVIDENCE_ROOT,
    keySegment(incident.accountId, 'no-account'),
    keySegment(incident.region, 'no-region'),
    keySegment(incident.incidentId, 'no-incident'),
    keySegment(incident.findingId, 'no-finding'),
    '',
  ].join('/');
}

export function evidenceKey(incident: IncidentCoordinates, file: EvidenceFile): string {
  return `${evidencePrefix(incident)}${file}`;
}
