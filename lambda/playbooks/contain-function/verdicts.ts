import { block, pass, type GuardVerdict } from '../../guards/types';
import { FUNCTION_UNREADABLE } from '../../guards/unreadable';

/* The playbook's own refusals, reported next to the guards. A blocking verdict stops every change; the plan still shows them. */

/** The function the finding names could not be verified: a malformed name or ARN, or Lambda's answer disagrees with the finding. */
export const FUNCTION_UNVERIFIED = 'function-unverified';
/** The function (or its tags) could not be read: it is not verified, so nothing is changed; a retry may read it (lambda/runtime/retry-policy.ts). */
export { FUNCTION_UNREADABLE };

/** The function runs as one of the responder's own roles: it is the responder, which never throttles itself. */
export const RESPONDER_FUNCTION = 'responder-function';

export function responderFunction(functionName: string, roleName: string): GuardVerdict {
  return block(
    RESPONDER_FUNCTION,
    `Lambda function ${functionName} runs as ${roleName}, one of the responder's own roles: throttling it would stop the responder itself; nothing is changed (contain it by hand once you know what happened)`,
  );
}

export function unverified(why: string): GuardVerdict {
  return block(FUNCTION_UNVERIFIED, `${why}: the responder acts only on a function it verified in the finding's account and region; nothing is changed`);
}

export function verified(functionName: string, how: string): GuardVerdict {
  return pass(FUNCTION_UNVERIFIED, `Lambda function ${functionName} ${how}`);
}

export function unreadable(what: string, call: string, code: string): GuardVerdict {
  return block(FUNCTION_UNREADABLE, `${what} could not be read (${call}: ${code}), so it is not verified; nothing is changed`);
}
