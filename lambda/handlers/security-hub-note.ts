import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { createAwsClients, type AwsClients, type ClientClasses } from '../aws/clients';
import { deliverOwedNotes, type NoteDelivery } from '../close-loop/deliver-owed-notes';
import { OwedNotes } from '../close-loop/owed-notes';

/*
 * The owed-note writer's Lambda entry point (lib/owed-note-delivery.ts): woken
 * by Security Hub's Imported events for GuardDuty findings, it writes the
 * notes the ledger owes (lambda/close-loop/deliver-owed-notes.ts). Its bundle
 * carries the ledger's and Security Hub's clients, nothing else.
 */

export const OWED_NOTE_CLIENT_CLASSES: ClientClasses = { dynamodb: DynamoDBClient, securityHub: SecurityHubClient };

const logger = new Logger();

export interface OwedNoteEnvironment {
  readonly region: string;
  readonly ledgerTableName: string;
}

export function readOwedNoteEnvironment(env: NodeJS.ProcessEnv = process.env): OwedNoteEnvironment {
  const region = env.AWS_REGION;
  const ledgerTableName = env.IR_LEDGER_TABLE;
  if (!region || !ledgerTableName) throw new Error('invalid Lambda environment: AWS_REGION and IR_LEDGER_TABLE are required');
  return { region, ledgerTableName };
}

let clients: AwsClients | undefined;

/** Writes the notes owed for the event's findings, with the clients given (tests) or this container's own. */
export async function handleImportedEvent(event: unknown, env: OwedNoteEnvironment = readOwedNoteEnvironment(), given?: AwsClients): Promise<NoteDelivery[]> {
  clients = given ?? clients ?? createAwsClients({ region: env.region }, OWED_NOTE_CLIENT_CLASSES);
  const own = clients;
  try {
    const deliveries = await deliverOwedNotes({ event, notes: new OwedNotes(own.dynamodb, env.ledgerTableName), securityHub: () => own.load('securityHub') });
    for (const delivery of deliveries) logger.info('security hub note', { ...delivery });
    return deliveries;
  } catch (error) {
    logger.error('a Security Hub note owed in the ledger could not be written: it stays owed', { error: error instanceof Error ? { code: error.name, message: error.message } : String(error) });
    throw error;
  }
}

export const handler = (event: unknown) => handleImportedEvent(event);
