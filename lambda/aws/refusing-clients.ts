import type { AwsClients } from './clients';
import { ResponderError } from './errors';

/**
 * Clients for an account the responder has not reached: any call fails with
 * `code` and `reason` instead of silently going to another account (the
 * home account's clients would "work", on the wrong resources). A Proxy, so
 * it refuses every service AwsClients has now or gains later.
 */
export function refusingClients(code: string, reason: string): AwsClients {
  return new Proxy({} as AwsClients, {
    get: (_target, property) => {
      // Not a client: promise checks (`then`) and inspection look these up.
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
      throw new ResponderError(code, `${reason} (no ${String(property)} call is made)`);
    },
  });
}
