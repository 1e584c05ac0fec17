import { createAwsClients, type AwsClients, type ServiceName } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { IAM_PREFIX_OF, type IamPrefix } from '../../support/iam-prefixes';

/*
 * The responder's clients with one fault injected between it and AWS. Every
 * call still reaches the mocked service (so the mocks record it, as AWS
 * would have received it), then the one call the cell aims at answers with
 * the injected error instead of the service's answer. Working at the client
 * rather than inside each mock world keeps the matrix independent of how a
 * world answers, for every service alike.
 */

/** IAM service prefix of a client: what an IAM action starts with. */
export type Service = IamPrefix;

const SERVICE_OF = IAM_PREFIX_OF;

export interface SentCall {
  readonly service: Service;
  /** Command name without `Command`: the IAM action name. */
  readonly action: string;
  /** The request as sent, as JSON (what the request would carry on the wire). */
  readonly input: unknown;
}

export interface InjectedFault {
  readonly matches: (call: SentCall) => boolean;
  readonly errorFor: (call: SentCall) => Error;
}

export interface FaultyClients {
  readonly clients: AwsClients;
  /** Every call, in the order it was sent. */
  readonly sent: SentCall[];
  /** The calls that were answered with the injected error. */
  readonly failed: SentCall[];
}

interface Command {
  readonly input?: unknown;
  readonly constructor: { readonly name: string };
}

interface Sendable {
  send(command: Command, ...rest: unknown[]): Promise<unknown>;
}

export function faultyClients(fault?: InjectedFault): FaultyClients {
  // One attempt per call: the matrix is about what the responder does with an error, not about the SDK's retries.
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  const sent: SentCall[] = [];
  const failed: SentCall[] = [];
  for (const key of Object.keys(SERVICE_OF) as ServiceName[]) {
    const client = clients[key] as unknown as Sendable;
    // The prototype's send is the aws-sdk-client-mock stub: it answers (and records) the call.
    const answer = client.send.bind(client);
    const send = async (command: Command, ...rest: unknown[]): Promise<unknown> => {
      const call: SentCall = { service: SERVICE_OF[key], action: command.constructor.name.replace(/Command$/, ''), input: JSON.parse(JSON.stringify(command.input ?? {})) };
      sent.push(call);
      const response = answer(command, ...rest);
      if (!fault?.matches(call)) return response;
      await response.catch(() => undefined);
      failed.push(call);
      throw fault.errorFor(call);
    };
    Object.defineProperty(client, 'send', { value: send, configurable: true });
  }
  return { clients, sent, failed };
}
