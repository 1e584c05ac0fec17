import * as z from '../lambda/zod';
import type { SideBySideRun } from './custodian-targets';
import type { RecordedCall } from './latency-proxy';
import { chainDepths, isMove } from './round-trips';

/*
 * What one run of the side-by-side comparison (custodian.ts) measured: the
 * Custodian runner's answer, and time to isolation from the proxy's record.
 */

const answerSchema = z.object({
  importStartedAt: z.number(),
  handlerStartedAt: z.number(),
  finishedAt: z.number(),
  error: z.nullable(z.string()),
});
/** One answer of run_custodian.py serve: epoch ms; error: the exception dispatch_event raised. */
export type CustodianAnswer = z.infer<typeof answerSchema>;

export function parseCustodianAnswer(line: string): CustodianAnswer {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`Custodian runner printed a line that is not JSON: ${line.slice(0, 500)}`);
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`Custodian runner's answer is not {importStartedAt, handlerStartedAt, finishedAt, error}: ${line.slice(0, 500)}`);
  return parsed.data;
}

export type MeasuredRun = SideBySideRun & {
  /** The calls answered by the time isolation was complete, in the order sent. */
  readonly callsToIsolation: string;
  /** The responder's: its round trips to isolation, its first move, and when each check ran against the moves (round-trips.ts). */
  readonly movesTimeline?: string;
};

/** The ENIs a run must have moved; an instance of the fleet (fleet.ts) has these. */
export interface IsolatedInstance {
  readonly instanceId: string;
  readonly networkInterfaceIds: readonly string[];
}

/** From `startedAt` to the answer that put the isolation group on the last of the instance's ENIs; every ENI must have been moved there. */
export function isolationOf(calls: readonly RecordedCall[], startedAt: number, instance: IsolatedInstance, isolationGroupId: string): MeasuredRun {
  const moves = calls.filter((c) => isMove(c, isolationGroupId) && instance.networkInterfaceIds.includes(c.params.NetworkInterfaceId ?? ''));
  const moved = new Set(moves.map((c) => c.params.NetworkInterfaceId));
  const missing = instance.networkInterfaceIds.filter((id) => !moved.has(id));
  if (missing.length > 0) throw new Error(`${instance.instanceId}: ${missing.join(', ')} never moved onto the isolation group ${isolationGroupId}`);
  const last = moves.reduce((a, b) => (b.answeredAt > a.answeredAt ? b : a));
  const before = [...calls].filter((c) => c.answeredAt <= last.answeredAt).sort((a, b) => a.sentAt - b.sentAt);
  return { timeToIsolationMs: last.answeredAt - startedAt, roundTrips: chainDepths(calls).get(last) ?? 1, callsToIsolation: before.map((c) => c.operation).join(', ') };
}
