import { GetFunctionUrlConfigCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/*
 * The approval link function's URL, for the wait phase to build the emailed
 * links (link.ts): looked up by the function's fixed name
 * (lib/approval/approval-channels.ts, approvalLinkFunctionName), once per
 * container. The playbook role needs lambda:GetFunctionUrlConfig on that
 * function, and kms:GenerateMac on the link key.
 */

const known = new Map<string, Promise<string>>();

export function approvalLinkBaseUrl(lambda: LambdaClient, functionName: string): Promise<string> {
  let url = known.get(functionName);
  if (!url) {
    url = lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName })).then((answer) => {
      if (!answer.FunctionUrl?.startsWith('https://')) throw new Error(`the approval link function ${functionName} has no HTTPS function URL`);
      return answer.FunctionUrl;
    });
    known.set(functionName, url);
    // A failed look-up is not remembered: the next approval asks again.
    url.catch(() => known.delete(functionName));
  }
  return url;
}
