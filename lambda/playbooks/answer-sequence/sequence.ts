import type { AttackSequence, Finding } from '../../finding/schema';

/*
 * The parts of an attack sequence answer-sequence reads, as plain arrays.
 * Every value here came with the finding: an attacker who can shape what
 * GuardDuty sees can shape these, so nothing is acted on before
 * resource-views.ts has parsed it.
 */

export type SequenceResource = NonNullable<AttackSequence['resources']>[number];
export type SequenceSignal = NonNullable<AttackSequence['signals']>[number];
export type SequenceActor = NonNullable<AttackSequence['actors']>[number];
export type SequenceEndpoint = NonNullable<AttackSequence['endpoints']>[number];

export interface SequenceParts {
  readonly uid: string | undefined;
  readonly description: string | undefined;
  readonly resources: readonly SequenceResource[];
  readonly signals: readonly SequenceSignal[];
  readonly actors: readonly SequenceActor[];
  readonly endpoints: readonly SequenceEndpoint[];
}

/**
 * GuardDuty allows 400 resources in a sequence; a response acts on at most
 * this many, in the order GuardDuty lists them, and says so of the rest
 * (a forged sequence of hundreds of resources must not become hundreds of changes).
 */
export const MAX_ANSWERED_RESOURCES = 20;

export function sequenceOf(finding: Finding): SequenceParts {
  const sequence = finding.service?.detection?.sequence;
  return {
    uid: sequence?.uid ?? undefined,
    description: sequence?.description ?? undefined,
    resources: sequence?.resources ?? [],
    signals: sequence?.signals ?? [],
    actors: sequence?.actors ?? [],
    endpoints: sequence?.endpoints ?? [],
  };
}

/** The signals in the order they were first seen (ties: GuardDuty's order), for the notification and the report. */
export function signalsInOrder(signals: readonly SequenceSignal[]): SequenceSignal[] {
  return signals
    .map((signal, index) => ({ signal, index }))
    .sort((a, b) => (a.signal.firstSeenAt ?? '').localeCompare(b.signal.firstSeenAt ?? '') || a.index - b.index)
    .map(({ signal }) => signal);
}

/** The ref of the resource at this position of the sequence: its steps' ids begin with `${ref}/`. */
export function resourceRef(index: number): string {
  return `r${index + 1}`;
}
