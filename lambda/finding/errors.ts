/** invalid-id: the finding id or instance id could widen an AWS filter or an evidence key (lambda/finding/ids.ts). */
export type FindingInputProblem = 'invalid-json' | 'not-a-finding' | 'wrong-source' | 'invalid-id';

/** Input that is not a GuardDuty finding. Nothing is planned for it. */
export class FindingInputError extends Error {
  readonly problem: FindingInputProblem;

  constructor(problem: FindingInputProblem, message: string) {
    super(message);
    this.name = 'FindingInputError';
    this.problem = problem;
  }
}
