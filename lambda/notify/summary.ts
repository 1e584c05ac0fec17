import type { StepOutcome } from '../plan/types';
import type { NotificationDocument } from './document';

/*
 * The one line a person reads first: what happened to which resource, where,
 * and the step counts. "i-0abc (web-1) in 123456789012/eu-west-1 isolated,
 * 3 volumes snapshotted: 9 done, 0 failed". Raw text: each rendering escapes.
 */

type SummaryInput = Pick<NotificationDocument, 'outcome' | 'playbook' | 'findingType' | 'account' | 'region' | 'resource' | 'blocked' | 'counts'>;

const byId = (outcomes: readonly StepOutcome[], id: string) => outcomes.find((o) => o.id === id);

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function containment(outcomes: readonly StepOutcome[]): string[] {
  const moves = outcomes.filter((o) => o.id.startsWith('isolate:'));
  const failedMoves = moves.filter((o) => o.status === 'failed').length;
  const said: string[] = [];
  if (moves.length > 0) said.push(failedMoves === 0 ? 'isolated' : `NOT isolated (${failedMoves} of ${plural(moves.length, 'network interface')} failed)`);
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
function taskContainment(outcomes: readonly StepOutcome[]): string[] {
  const said: string[] = [];
  const stop = byId(outcomes, 'stop-ecs-task');
  if (stop?.status === 'done') said.push('task stopped');
  if (stop?.status === 'failed') said.push('task NOT stopped');
  said.push(...containment(outcomes));
  const tag = byId(outcomes, 'tag-ecs-task-definition');
  if (tag?.status === 'done') said.push('task definition tagged suspect');
  if (tag?.status === 'failed') said.push('task definition NOT tagged');
  return said;
}

function whatHappened(input: SummaryInput, outcomes: readonly StepOutcome[]): string {
  if (input.blocked.length > 0) return `not changed (${input.blocked.map((b) => b.id).join(', ')})`;
  if (input.outcome === 'NO ACTION') return 'reported for review, no automated action';
  const said = input.playbook === 'contain-instance' ? containment(outcomes) : input.playbook === 'revoke-credentials' ? revocation(outcomes) : input.playbook === 'contain-task' ? taskContainment(outcomes) : input.playbook === 'contain-eks' ? [...containment(outcomes), ...revocation(outcomes)] : [];
  if (said.length > 0) return said.join(', ');
  return `${plural(outcomes.filter((o) => o.mutating && o.status === 'done').length, 'change')} made`;
}

export function summaryOf(input: SummaryInput, outcomes: readonly StepOutcome[]): string {
  const who = input.resource?.label ?? input.findingType;
  const where = `${input.account.shown}/${input.region ?? 'unknown region'}`;
  const { done, failed, skipped } = input.counts;
  return `${who} in ${where} ${whatHappened(input, outcomes)}: ${done} done, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
