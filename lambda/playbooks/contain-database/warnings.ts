import { untrusted } from '../../text/untrusted';
import type { ContainDatabaseFacts, DatabaseFacts } from './facts';

/*
 * What the responder cannot do for a database: RDS has no API to change a
 * database user's password or end its sessions (those live inside the
 * engine). The notification says so, naming the user and the address the
 * finding reports, both written by whoever logged in: escaped.
 */

/**
 * What the finding type says about the logins, in the words of the password
 * step: a FailedLogin finding shows no login that worked, so the text must
 * not say the password was used (the type is GuardDuty's, confirmed by
 * GetFindings before any change; the user and address are not).
 */
export function loginsSaid(findingType: string, from: string): string {
  const type = findingType.split('/')[1] ?? '';
  if (type.endsWith('.FailedLogin')) {
    return `the finding reports FAILED logins${from} only: no login is known to have worked, so rotate it if it is weak, shared or reused, and check the engine's log for a later success`;
  }
  if (type.endsWith('.SuccessfulBruteForce')) return `the finding reports a brute force${from} that ended in a successful login: the password is known to whoever logged in`;
  if (type.endsWith('.SuccessfulLogin')) return `the finding reports a successful login${from}: the password is known to whoever logged in`;
  return `the finding type does not say whether a login${from} worked: treat the password as known`;
}

export function manualDatabaseSteps(facts: ContainDatabaseFacts, findingType: string): string[] {
  const { logins, database } = facts;
  const db = database ? `DB ${database.kind} ${untrusted(database.identifier)}` : 'the database';
  const users = logins.users.length > 0 ? logins.users.map((u) => `"${untrusted(u)}"`).join(', ') : '(the finding names no database user)';
  const from = logins.remoteAddress ? ` from ${untrusted(logins.remoteAddress)}` : '';
  const failedOnly = (findingType.split('/')[1] ?? '').endsWith('.FailedLogin');
  return [
    `MANUAL: rotate the password of database user ${users} on ${db} by hand (inside the engine, or with ModifyDB${database?.kind === 'cluster' ? 'Cluster' : 'Instance'} MasterUserPassword for the master user): ${loginsSaid(findingType, from)}; RDS has no API that changes a database user's password.`,
    failedOnly
      ? `MANUAL: look for sessions of ${users}${from} inside the engine (a login after the failed ones) and end any: security groups stop new connections, not the ones already open.`
      : `MANUAL: end the database sessions of ${users}${from} inside the engine and review what they did: security groups stop new connections, not the ones already open.`,
  ];
}

/** The restriction refused for pending modifications: what a person does instead, naming them. */
export function manualPendingModificationsStep(database: DatabaseFacts, pending: readonly string[]): string {
  const kind = database.kind === 'cluster' ? 'Cluster' : 'Instance';
  const id = untrusted(database.identifier);
  return (
    `MANUAL: DB ${database.kind} ${id} has modifications pending for its maintenance window: ${pending.join(', ')}. ` +
    `Find out who queued them (CloudTrail ModifyDB${kind}). Then restrict its network by hand: ModifyDB${kind} VpcSecurityGroupIds=<the isolation group of its VPC> ` +
    'with ApplyImmediately=false (RDS documents security group changes as applied as soon as possible without it; check with Describe that the group is active), ' +
    'or with ApplyImmediately=true only once you accept every pending modification being applied now. ' +
    'The responder sends ApplyImmediately only while nothing is pending, so that restricting the network never applies them with it.'
  );
}

export const OFFLINE_WARNING = 'Planned offline from the finding alone: the database was not read, so its VPC, groups and cluster are placeholders; a real response reads them first and acts only if RDS has the database.';
