import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { planStep, type PlannedStep } from '../../plan/types';
import { THROTTLE_FUNCTION } from './specs';

export const THROTTLE_STEP_ID = 'throttle-function';

/**
 * Reserved concurrency 0: Lambda throttles every invocation, and the function's code, versions and triggers stay for the investigation.
 * `refused`: why the step cannot be made (provisioned concurrency above 0, which Lambda keeps reserved concurrency from going under):
 * it is shown and skipped, and the plan names the manual step instead of letting it fail by surprise.
 */
export function throttleFunctionStep(functionName: string, label: string, because: string, refused: string | null = null): PlannedStep {
  const parameters = { FunctionName: functionName, ReservedConcurrentExecutions: 0 };
  const step = planStep(THROTTLE_FUNCTION, {
    id: THROTTLE_STEP_ID,
    title: `Stop Lambda function ${functionName} from running (reserved concurrency 0)`,
    action: 'lambda:PutFunctionConcurrency',
    target: label,
    parameters,
    why: refused
      ? `REFUSED: ${refused}`
      : `${because}; with a reserved concurrency of 0 every invocation is throttled (queued asynchronous events are retried by Lambda ` +
      'and then go to the function\'s failure destination), while the code and configuration stay for the investigation',
    stage: 1,
    run: async (ctx) => {
      if (refused) return { status: 'skipped', reason: `REFUSED: ${refused}` };
      const lambda = await ctx.clients.load('lambda');
      await lambda.send(new PutFunctionConcurrencyCommand(parameters));
      return { status: 'done', detail: `${functionName}: reserved concurrency 0, every invocation is throttled` };
    },
  });
  if (!refused) return step;
  // A refused change waits for no one's approval: no decision could make it.
  const { changeClass: _class, ...withoutDecision } = step;
  return withoutDecision;
}
