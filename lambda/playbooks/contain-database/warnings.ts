import { untrusted } from '../../text/untrusted';
import type { ContainDatabaseFacts } from './facts';

/*
 * What the responder cannot do for a database: RDS has no API to change a
 * database user's password or end its sessions (those live inside the
 * engine). The notification says so, naming the user and the address the
 * finding reports, both written by whoever logged in: escaped.
 */

export function manualDatabaseSteps(facts: ContainDatabaseFacts): string[] {
  const { logins, database } = facts;
  const db = database ? `DB ${database.kind} ${untrusted(database.identifier)}` : 'the database';
  const users = logins.users.length > 0 ? logins.users.map((u) => `"${untrusted(u)}"`).join(', ') : '(the finding names no database user)';
  const from = logins.remoteAddress ? ` from ${untrusted(logins.remoteAddress)}` : '';
  return [
    `MANUAL: rotate the password of database user ${users} on ${db} by hand (inside the engine, or with ModifyDB${database?.kind === 'cluster' ? 'Cluster' : 'Instance'} MasterUserPassword for the master user): the logins${from} used it, and RDS has no API that changes a database user's password.`,
    `MANUAL: end the database sessions of ${users}${from} inside the engine and review what they did: security groups stop new connections, not the ones already open.`,
  ];
}

export const OFFLINE_WARNING = 'Planned offline from the finding alone: the database was not read, so its VPC, groups and cluster are placeholders; a real response reads them first and acts only if RDS has the database.';
