import type { PlaybookName } from '../routing/playbook-names';
import { MANUAL_RESPONSE } from '../guards/manual-response';
import type { StepOutcome } from '../plan/types';
import type { NotificationDocument } from './document';

/*
 * The one line a person reads first: what happened to which resource, where,
 * and the step counts. "i-0abc (web-1) in 123456789012/eu-west-1 isolated,
 * 3 volumes snapshotted: 9 done, 0 failed". Raw text: each rendering escapes.
 */

type SummaryInput = Pick<NotificationDocument, 'outcome' | 'playbook' | 'findingType' | 'account' | 'region' | 'resource' | 'blocked' | 'counts'> & {
  /** The changes not made for want of an approval (lambda/notify/withheld.ts): never said to be done. */
  readonly withheld?: ReadonlySet<string>;
};

const byId = (outcomes: readonly StepOutcome[], id: string) => outcomes.find((o) => o.id === id);

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function isolation(moves: readonly StepOutcome[], withheld: ReadonlySet<string>): string {
  const failedMoves = moves.filter((o) => o.status === 'failed').length;
  if (failedMoves > 0) return `NOT isolated (${failedMoves} of ${plural(moves.length, 'network interface')} failed)`;
  const held = moves.filter((o) => withheld.has(o.id)).length;
  if (held === 0) return 'isolated';
  return held === moves.length ? 'NOT isolated' : `NOT isolated (${held} of ${plural(moves.length, 'network interface')} not approved)`;
}

function containment(outcomes: readonly StepOutcome[], withheld: ReadonlySet<string>): string[] {
  const moves = outcomes.filter((o) => o.id.startsWith('isolate:'));
  const said: string[] = [];
  if (moves.length > 0) said.push(isolation(moves, withheld));
  const snapshot = byId(outcomes, 'snapshot-volumes');
  if (snapshot?.status === 'done') said.push(`${plural((snapshot.detail ?? '').match(/snap-[0-9a-f]+/g)?.length ?? 0, 'volume')} snapshotted`);
  if (snapshot?.status === 'failed') said.push('snapshots FAILED');
  const sessions = byId(outcomes, 'revoke-role-sessions');
  if (sessions?.status === 'done') said.push('instance role sessions revoked');
  if (sessions?.status === 'failed') said.push('instance role sessions NOT revoked');
  return said;
}

function revocation(outcomes: readonly StepOutcome[]): string[] {
  const said: string[] = [];
  const key = byId(outcomes, 'deactivate-access-key');
  if (key?.status === 'done') said.push('access key deactivated');
  if (key?.status === 'failed') said.push('access key NOT deactivated');
  const sessions = outcomes.filter((o) => o.id === 'revoke-user-sessions' || o.id === 'revoke-role-sessions');
  if (sessions.some((o) => o.status === 'done')) said.push('sessions revoked');
  if (sessions.some((o) => o.status === 'failed')) said.push('sessions NOT revoked');
  return said;
}

/** contain-task: the task stopped (Fargate) or its instance contained (EC2 launch type), and its revision tagged. */
function taskContainment(outcomes: readonly StepOutcome[], withheld: ReadonlySet<string>): string[] {
  const said: string[] = [];
  const stop = byId(outcomes, 'stop-ecs-task');
  if (stop?.status === 'done') said.push('task stopped');
  if (stop?.status === 'failed') said.push('task NOT stopped');
  said.push(...containment(outcomes, withheld));
  const tag = byId(outcomes, 'tag-ecs-task-definition');
  if (tag?.status === 'done') said.push('task definition tagged suspect');
  if (tag?.status === 'failed') said.push('task definition NOT tagged');
  return said;
}

/** An attack sequence: how many of its resources were changed, and whether any change failed (each resource's steps begin with its ref). */
function sequenceAnswer(outcomes: readonly StepOutcome[]): string[] {
  const refOf = (o: StepOutcome) => (/^(r\d+)\//.exec(o.id) ?? [])[1];
  const changed = new Set(outcomes.filter((o) => o.mutating && o.status === 'done').map(refOf).filter(Boolean));
  const failed = new Set(outcomes.filter((o) => o.mutating && o.status === 'failed').map(refOf).filter(Boolean));
  const said = changed.size > 0 ? [`${plural(changed.size, 'resource')} of the sequence answered`] : [];
  if (failed.size > 0) said.push(`${plural(failed.size, 'resource')} NOT fully answered`);
  return said;
}

function throttling(outcomes: readonly StepOutcome[]): string[] {
  const said: string[] = [];
  const throttle = byId(outcomes, 'throttle-function');
  if (throttle?.status === 'done') said.push('function throttled (reserved concurrency 0)');
  if (throttle?.status === 'failed' || refused(throttle)) said.push('function NOT throttled');
  const sessions = byId(outcomes, 'revoke-role-sessions');
  if (sessions?.status === 'done') said.push('role sessions revoked');
  if (sessions?.status === 'failed') said.push('role sessions NOT revoked');
  return said;
}

/**
 * A change the plan refused to make (its reason starts `REFUSED:`: contain-database with modifications pending,
 * contain-function with provisioned concurrency): not made, and said as loudly as a failure.
 */
function refused(outcome: StepOutcome | undefined): boolean {
  return outcome?.status === 'skipped' && outcome.reason?.startsWith('REFUSED:') === true;
}

/** One change's outcome in the summary's words: what it did, or that it did NOT (steps skipped by themselves say nothing here: the plan lists them). */
function stepSaid(outcomes: readonly StepOutcome[], ids: readonly string[], done: string, failed: string): string[] {
  const found = outcomes.filter((o) => ids.includes(o.id));
  if (found.some((o) => o.status === 'failed' || refused(o))) return [failed];
  return found.some((o) => o.status === 'done') ? [done] : [];
}

/** quarantine-object: a tag the bucket policy does not honour is said NOT to quarantine (its step's evidence says contained: false). */
function objectQuarantine(outcomes: readonly StepOutcome[]): string[] {
  const tag = byId(outcomes, 'tag-object-version');
  if (tag?.status === 'done' && tag.evidence?.contained === false) return ['object version tagged but NOT quarantined (the bucket policy does not honour the tag)'];
  return [
    ...stepSaid(outcomes, ['tag-object-version'], 'object version tagged for the quarantine Deny', 'object version NOT tagged'),
    ...stepSaid(outcomes, ['copy-object-version'], 'object version copied to the quarantine bucket', 'object version NOT copied'),
    ...stepSaid(outcomes, ['remove-object-version'], 'original version removed', 'original version NOT removed (still readable)'),
  ];
}

/** What the summary line says a playbook did, from its outcomes; a playbook without an entry says how many changes it made. */
const SAID_BY_PLAYBOOK: Partial<Record<PlaybookName, (outcomes: readonly StepOutcome[], input: SummaryInput) => string[]>> = {
  'contain-instance': (outcomes, input) => containment(outcomes, input.withheld ?? new Set()),
  'revoke-credentials': (outcomes) => revocation(outcomes),
  'contain-function': (outcomes) => throttling(outcomes),
  'contain-task': (outcomes, input) => taskContainment(outcomes, input.withheld ?? new Set()),
  'answer-sequence': (outcomes) => sequenceAnswer(outcomes),
  // The step ids of each playbook's plan (lambda/playbooks/<playbook>/): a test renders each playbook's summary.
  'block-public-access': (outcomes) => stepSaid(outcomes, ['block-public-access'], 'Block Public Access turned on', 'Block Public Access NOT turned on'),
  'quarantine-object': (outcomes) => objectQuarantine(outcomes),
  'contain-database': (outcomes) => [
    ...stepSaid(outcomes, ['snapshot-database'], 'snapshot started', 'snapshot NOT started'),
    ...stepSaid(outcomes, ['restrict-database-network'], 'network restricted to the isolation group', 'network NOT restricted'),
  ],
  'quarantine-image': (outcomes) => [
    ...stepSaid(outcomes, ['tag-infected'], 'tagged infected', 'NOT tagged infected'),
    ...stepSaid(outcomes, ['unshare-snapshot', 'unshare-image'], 'sharing removed', 'sharing NOT removed'),
  ],
};

function whatHappened(input: SummaryInput, outcomes: readonly StepOutcome[]): string {
  if (input.blocked.some((b) => b.id === MANUAL_RESPONSE)) return 'NOT changed: MANUAL ACTION REQUIRED (the steps are below)';
  if (input.blocked.length > 0) return `not changed (${input.blocked.map((b) => b.id).join(', ')})`;
  if (input.outcome === 'NO ACTION') return 'reported for review, no automated action';
  const said = SAID_BY_PLAYBOOK[input.playbook]?.(outcomes, input) ?? [];
  if (said.length > 0) return said.join(', ');
  return `${plural(outcomes.filter((o) => o.mutating && o.status === 'done').length, 'change')} made`;
}

export function summaryOf(input: SummaryInput, outcomes: readonly StepOutcome[]): string {
  const who = input.resource?.label ?? input.findingType;
  const where = `${input.account.shown}/${input.region ?? 'unknown region'}`;
  const { done, failed, skipped } = input.counts;
  return `${who} in ${where} ${whatHappened(input, outcomes)}: ${done} done, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
