import type { PlanDocument } from '../plan/document';
import type { StepOutcome } from '../plan/types';

/*
 * What answer-sequence did with each resource of an attack sequence, in
 * words for the notification's sequence section (resources.ts): answered by
 * which playbook and how its steps went, or reported / refused and why.
 * Read from the plan document's `resource` (the playbook's own report,
 * lambda/playbooks/answer-sequence/plan.ts) and the step outcomes, whose
 * ids begin with the resource's ref.
 */

interface AnswerRecord {
  readonly ref?: unknown;
  readonly answer?: unknown;
  readonly playbook?: unknown;
  readonly reason?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stepsOf(ref: string, outcomes: readonly StepOutcome[]): string {
  const own = outcomes.filter((o) => o.id.startsWith(`${ref}/`));
  const count = (status: StepOutcome['status']) => own.filter((o) => o.status === status).length;
  const failed = count('failed');
  return `${count('done')} done${failed > 0 ? `, ${failed} FAILED` : ''}${count('skipped') > 0 ? `, ${count('skipped')} skipped` : ''}`;
}

/** One phrase per resource of the sequence, in the sequence's order; empty for any other playbook's document. */
export function sequenceAnswersOf(doc: Pick<PlanDocument, 'playbook' | 'resource'>, outcomes: readonly StepOutcome[]): string[] {
  if (doc.playbook !== 'answer-sequence' || !Array.isArray(doc.resource.resources)) return [];
  return (doc.resource.resources as readonly AnswerRecord[]).map((record) => {
    const ref = text(record.ref) ?? '?';
    const reason = text(record.reason) ?? 'no reason given';
    switch (record.answer) {
      case 'answered':
        return `${ref}: answered by ${text(record.playbook) ?? 'its playbook'} (${stepsOf(ref, outcomes)}): ${reason}`;
      case 'refused':
        return `${ref}: REFUSED, nothing done: ${reason}`;
      default:
        return `${ref}: reported only, nothing done: ${reason}`;
    }
  });
}
