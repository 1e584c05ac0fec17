import type { StepSpec } from '../../plan/types';
import { SEQUENCE_MEMBERS } from './members';

/**
 * Every step kind answer-sequence can plan: those of every member playbook
 * (one kind once), so its role, its member-account role and its Lambda's
 * clients are derived from the same declarations as theirs.
 */
export const ANSWER_SEQUENCE_STEP_SPECS: readonly StepSpec[] = [
  ...new Map(
    Object.values(SEQUENCE_MEMBERS)
      .flatMap((playbook) => playbook?.stepSpecs ?? [])
      .map((spec) => [spec.kind, spec] as const),
  ).values(),
];
