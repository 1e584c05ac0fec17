import type { Event } from '@aws-sdk/client-cloudtrail';
import type { CloudTrailEvidence, Counted } from './evidence';

/* What the CloudTrail events of a key add up to: which calls, when, from where. */

export interface TrailEvent {
  readonly eventName: string | null;
  readonly eventTime: Date | null;
  readonly sourceIp: string | null;
  readonly errorCode: string | null;
}

interface RecordFields {
  readonly sourceIPAddress?: unknown;
  readonly errorCode?: unknown;
}

// The record is CloudTrail's JSON as a string; a record that does not parse still counts by name and time.
function recordOf(json: string | undefined): RecordFields {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? (parsed as RecordFields) : {};
  } catch {
    return {};
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function trailEventOf(event: Event): TrailEvent {
  const record = recordOf(event.CloudTrailEvent);
  return {
    eventName: event.EventName ?? null,
    eventTime: event.EventTime ?? null,
    sourceIp: text(record.sourceIPAddress),
    errorCode: text(record.errorCode),
  };
}

/** Counts by value, most frequent first (ties by value), keeping the first `max`. */
export function countValues(values: readonly string[], max: number): { readonly listed: Counted[]; readonly more: number } {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const sorted = [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return { listed: sorted.slice(0, max), more: Math.max(0, sorted.length - max) };
}

export type EventSummary = Pick<
  CloudTrailEvidence,
  'eventsRead' | 'firstEventTime' | 'lastEventTime' | 'eventNames' | 'moreEventNames' | 'sourceIps' | 'moreSourceIps' | 'eventsWithError'
>;

export function summarizeEvents(events: readonly TrailEvent[], maxListed: number): EventSummary {
  const times = events.flatMap((e) => (e.eventTime ? [e.eventTime.getTime()] : []));
  const names = countValues(
    events.map((e) => e.eventName ?? '(no name)'),
    maxListed,
  );
  const ips = countValues(
    events.flatMap((e) => (e.sourceIp ? [e.sourceIp] : [])),
    maxListed,
  );
  return {
    eventsRead: events.length,
    firstEventTime: times.length > 0 ? new Date(Math.min(...times)).toISOString() : null,
    lastEventTime: times.length > 0 ? new Date(Math.max(...times)).toISOString() : null,
    eventNames: names.listed,
    moreEventNames: names.more,
    sourceIps: ips.listed,
    moreSourceIps: ips.more,
    eventsWithError: events.filter((e) => e.errorCode !== null).length,
  };
}
