import type { RecordedCall } from './latency-proxy';

/** BENCH_TRACE=1: every call of every run on stderr, ms from the start: sent, the emulator's share, answered. */
export function traceCalls(label: string, calls: readonly RecordedCall[], startedAt: number): void {
  if (!process.env.BENCH_TRACE) return;
  const at = (t: number): string => (t - startedAt).toFixed(0).padStart(5);
  const lines = calls.map((c) => `  ${at(c.sentAt)} -> ${at(c.answeredAt)}  emulator ${c.upstreamMs.toFixed(0).padStart(3)}  ${c.operation}`);
  process.stderr.write(`${label}\n${lines.join('\n')}\n`);
}
