import type { AccountAccess } from '../aws/account-access';
import { RestoreLedger } from '../ledger/restore-record';

/** The restore records live in the ledger table, in the security account (the home clients), whatever account the finding is of. */
export function restoreLedgerFor(access: AccountAccess, region: string, tableName: string): RestoreLedger {
  return new RestoreLedger(access.homeClients(region).dynamodb, tableName);
}
