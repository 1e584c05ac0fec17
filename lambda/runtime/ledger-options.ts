import type { AccountAccess } from '../aws/account-access';
import type { RuntimeConfig } from '../config/schema';
import { OwedNotes } from '../close-loop/owed-notes';
import type { Finding } from '../finding/schema';
import { ContainmentBrake } from '../ledger/brake';
import { IncidentLedger } from '../ledger/incident-ledger';
import { ResourceIncidents } from '../ledger/resource-incidents';
import { brakeAnnouncer } from '../notify/brake-announcement';
import type { LedgerOptions } from '../respond/gate';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import type { LambdaContext } from './home-account';

/** When the context cannot tell the remaining time (tests): the longest playbook timeout. */
const DEFAULT_REMAINING_MS = 60_000;

/**
 * After the invocation's own deadline, a claim is only held this much longer:
 * enough for its last write to land, far less than the minute Lambda waits
 * before retrying a crashed invocation, which must be able to claim again.
 */
export const LEASE_MARGIN_MS = 15_000;

/**
 * The ledger for one invocation, or none: when the stack has no table, and
 * for a requested dry-run (`{"dryRun": true}`), which is someone asking to
 * see the plan: it is answered in full every time and claims nothing.
 */
export function ledgerOptionsFor(input: {
  readonly tableName: string | undefined;
  readonly region: string;
  readonly access: AccountAccess;
  readonly config: RuntimeConfig;
  readonly dryRunRequested: boolean;
  /** The invocation's clock and request id; `ir respond --execute` passes its own claim time. */
  readonly context: Partial<LambdaContext>;
  /** The playbook answering: one that only reports answers at the dry-run level. */
  readonly playbook: PlaybookName;
  /** The stack's topic: the brake announces there, once, that it latched. */
  readonly topicArn?: string | undefined;
  /** The stack's chat topic (AWS Chatbot), when it has one: the announcement's chat copy goes there. */
  readonly chatTopicArn?: string | undefined;
  /** The finding answered: the announcement names its severity, resource and account when it engages the brake. */
  readonly finding?: Finding;
  /** The brake every regional stack shares, in blastRadius.homeRegion (IR_BRAKE_TABLE); absent: the brake is in the ledger table. */
  readonly brakeTableName?: string | undefined;
}): LedgerOptions | undefined {
  if (!input.tableName || input.dryRunRequested) return undefined;
  const home = input.access.homeClients(input.region);
  const dynamodb = home.dynamodb;
  const brake = brakeTableOf({ ...input, tableName: input.tableName });
  const accountAlias = input.finding?.accountId ? input.config.accountNames[input.finding.accountId] : undefined;
  const announce = input.topicArn
    ? brakeAnnouncer(
        home.sns,
        input.topicArn,
        {
          ledgerTable: brake.tableName,
          region: brake.region,
          shared: brake.tableName !== input.tableName,
          engagedIn: input.region,
          ...(input.finding ? { finding: input.finding } : {}),
          ...(accountAlias ? { accountAlias } : {}),
        },
        input.chatTopicArn,
      )
    : undefined;
  const remaining = input.context.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS;
  return {
    ledger: new IncidentLedger(dynamodb, input.tableName),
    // The Security Hub note a fresh finding cannot take yet, written when Security Hub imports it (lambda/close-loop/deliver-owed-notes.ts).
    owedNotes: new OwedNotes(dynamodb, input.tableName),
    brake: new ContainmentBrake(input.access.homeClients(brake.region).dynamodb, brake.tableName, input.config.blastRadius.maxContainmentsPerHour, undefined, announce),
    // notify asks GuardDuty nothing and changes nothing: its answer must never use up an acting
    // playbook's right to act once. A forged notify-routed copy of a real finding id (a direct
    // invocation of the notify function) would otherwise mark the genuine incident answered.
    level: input.config.mode === 'enforce' && actsInFindingAccount(input.playbook) ? 'enforce' : 'dry-run',
    leaseMs: remaining + LEASE_MARGIN_MS,
    // Lambda retries a failed invocation under the same request id (about a minute later, often before the lease ends):
    // the retry takes over the claim its own earlier attempt left, and finishes the work.
    ...(input.context.awsRequestId ? { deliveryId: input.context.awsRequestId } : {}),
    // One incident per resource, unless switched off (incidents.joinWindowHours 0).
    ...(input.config.incidents.joinWindowHours > 0
      ? { incidents: { store: new ResourceIncidents(dynamodb, input.tableName), joinWindowMs: input.config.incidents.joinWindowHours * 60 * 60 * 1000 } }
      : {}),
  };
}

/**
 * Where the brake is: the shared one's table in the home region when the
 * stack has one (IR_BRAKE_TABLE with blastRadius.homeRegion), else the
 * ledger table. A home region without its table (or the reverse) is a
 * deployment error: refused loudly rather than braking per region unnoticed.
 */
function brakeTableOf(input: { readonly tableName: string; readonly region: string; readonly brakeTableName?: string | undefined; readonly config: RuntimeConfig }): { tableName: string; region: string } {
  const home = input.config.blastRadius.homeRegion;
  if (!home && !input.brakeTableName) return { tableName: input.tableName, region: input.region };
  if (!home || !input.brakeTableName) throw new Error('IR_BRAKE_TABLE and blastRadius.homeRegion go together: the shared brake cannot be located');
  return { tableName: input.brakeTableName, region: home };
}
