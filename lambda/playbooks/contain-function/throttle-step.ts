import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { planStep, type PlannedStep } from '../../plan/types';
import { THROTTLE_FUNCTION } from './specs';

export const THROTTLE_STEP_ID = 'throttle-function';

/** Reserved concurrency 0: Lambda throttles every invocation, and the function's code, versions and triggers stay for the investigation. */
export function throttleFunctionStep(functionName: string, label: string, because: string): PlannedStep {
  const parameters = { FunctionName: functionName, ReservedConcurrentExecutions: 0 };
  return planStep(THROTTLE_FUNCTION, {
    id: THROTTLE_STEP_ID,
    title: `Stop Lambda function ${functionName} from running (reserved concurrency 0)`,
    action: 'lambda:PutFunctionConcurrency',
    target: label,
    parameters,
    why:
      `${because}; with a reserved concurrency of 0 every invocation is throttled (queued asynchronous events are retried by Lambda ` +
      'and then go to the function\'s failure destination), while the code and configuration stay for the investigation',
    stage: 1,
    run: async (ctx) => {
      const lambda = await ctx.clients.load('lambda');
      await lambda.send(new PutFunctionConcurrencyCommand(parameters));
      return { status: 'done', detail: `${functionName}: reserved concurrency 0, every invocation is throttled` };
    },
  });
}
