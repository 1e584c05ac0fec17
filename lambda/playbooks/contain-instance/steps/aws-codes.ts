import { toStepError } from '../../../aws/errors';

/** The AWS error code of a failure, to tell "already so" answers from real failures. */
export function awsCodeOf(error: unknown): string {
  return toStepError(error).code;
}
