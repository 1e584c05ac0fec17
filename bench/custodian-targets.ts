import { median } from './stats';

/*
 * The side-by-side comparison with Cloud Custodian (bench/custodian.ts): the
 * ratio of the responder's median time to isolation to Custodian's, per
 * start (warm, cold) and ENI count, and issue 15's limit on each.
 */

export type Start = 'warm' | 'cold';

export interface SideBySideTarget {
  readonly start: Start;
  readonly enis: number;
  /** The most the responder's median may be, as a share of Custodian's. */
  readonly maxRatio: number;
}

export const SIDE_BY_SIDE_TARGETS: readonly SideBySideTarget[] = [
  { start: 'warm', enis: 1, maxRatio: 1.0 },
  { start: 'warm', enis: 8, maxRatio: 0.5 },
  { start: 'cold', enis: 1, maxRatio: 0.5 },
  { start: 'cold', enis: 8, maxRatio: 0.5 },
];

export interface SideBySideRow {
  readonly start: Start;
  readonly enis: number;
  readonly runs: number;
  /** Medians, ms, from each side's start (see custodian.ts) to the answer that put the isolation group on the last ENI. */
  readonly responderMs: number;
  readonly custodianMs: number;
  /** responderMs / custodianMs, 2 decimals: below 1, the responder isolates sooner. */
  readonly ratio: number;
  /** Sequential round trips up to that answer, included, the most of any run. */
  readonly responderRoundTrips: number;
  readonly custodianRoundTrips: number;
}

export interface SideBySideRun {
  readonly timeToIsolationMs: number;
  readonly roundTrips: number;
}

export function ratioOf(responderMs: number, custodianMs: number): number {
  if (!(custodianMs > 0) || !(responderMs >= 0)) throw new Error(`no ratio of ${responderMs} ms to ${custodianMs} ms`);
  return Math.round((responderMs / custodianMs) * 100) / 100;
}

/** The row of one configuration from its runs; both sides must have run alike (same count, at least one). */
export function sideBySideRow(start: Start, enis: number, responder: readonly SideBySideRun[], custodian: readonly SideBySideRun[]): SideBySideRow {
  if (responder.length === 0 || responder.length !== custodian.length) {
    throw new Error(`${start} ${enis} ENI(s): ${responder.length} responder run(s) against ${custodian.length} Custodian run(s)`);
  }
  const responderMs = Math.round(median(responder.map((r) => r.timeToIsolationMs)));
  const custodianMs = Math.round(median(custodian.map((r) => r.timeToIsolationMs)));
  return {
    start,
    enis,
    runs: responder.length,
    responderMs,
    custodianMs,
    ratio: ratioOf(responderMs, custodianMs),
    responderRoundTrips: Math.max(...responder.map((r) => r.roundTrips)),
    custodianRoundTrips: Math.max(...custodian.map((r) => r.roundTrips)),
  };
}

export interface SideBySideVerdict extends SideBySideTarget {
  readonly ratio: number;
  readonly met: boolean;
}

/** Each target against its row; a target with no row is an error, not a pass. */
export function sideBySideVerdicts(rows: readonly SideBySideRow[]): SideBySideVerdict[] {
  return SIDE_BY_SIDE_TARGETS.map((target) => {
    const row = rows.find((r) => r.start === target.start && r.enis === target.enis);
    if (!row) throw new Error(`no ${target.start} run with ${target.enis} ENI(s) to judge against Custodian`);
    return { ...target, ratio: row.ratio, met: row.ratio <= target.maxRatio };
  });
}
