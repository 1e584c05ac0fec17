import { createHash } from 'node:crypto';
import type { PlannedStep } from '../plan/types';

/*
 * The plan an approval binds to: sha256 (hex) of the canonical JSON of the
 * approval-needing steps' {id, kind, action, target, parameters}, in plan
 * order. Canonical: object keys sorted at every depth, no whitespace, so the
 * same plan hashes the same in every invocation and in every channel (the
 * email link, `ir approve`, chat) that shows it. A step's title or reason is
 * not part of it: a reworded explanation is no other change.
 */

export type HashedStep = Pick<PlannedStep, 'id' | 'kind' | 'action' | 'target' | 'parameters'>;

/** JSON with object keys sorted; undefined members dropped as JSON.stringify drops them. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined, a function or a symbol has no JSON form: as JSON.stringify does inside an array.
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined && typeof member !== 'function' && typeof member !== 'symbol')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

export function hashedStepOf(step: HashedStep): HashedStep {
  return { id: step.id, kind: step.kind, action: step.action, target: step.target, parameters: step.parameters };
}

export function planHashOf(steps: readonly HashedStep[]): string {
  return createHash('sha256').update(canonicalJson(steps.map(hashedStepOf))).digest('hex');
}
