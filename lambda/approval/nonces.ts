import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, s, stringOf } from '../ledger/attributes';
import type { LedgerTable } from './decisions';

/*
 * Single use of an approval link: its nonce is written to the ledger once,
 * with a condition that it was never written. Whoever presents the link
 * second (a replay, a forwarded copy, a mail scanner that POSTs) is refused
 * and changes nothing. The nonce is consumed before the decision is
 * recorded: a link whose decision is then refused (plan changed, already
 * decided) is spent too, which is the safe side.
 */

export const NONCE_KEY_PREFIX = 'approval-nonce#';

export type NonceUse = { readonly status: 'consumed' } | { readonly status: 'replayed'; readonly detail: string };

export function nonceWrite(table: string, nonce: string, incidentId: string, at: string) {
  return {
    TableName: table,
    Item: { pk: s(`${NONCE_KEY_PREFIX}${nonce}`), incidentId: s(incidentId), usedAt: s(at) },
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

export async function consumeNonce(ledger: LedgerTable, nonce: string, incidentId: string, at: string): Promise<NonceUse> {
  try {
    await ledger.dynamodb.send(new PutItemCommand(nonceWrite(ledger.table, nonce, incidentId, at)));
    return { status: 'consumed' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const usedAt = stringOf(error.Item, 'usedAt');
    return { status: 'replayed', detail: `this link was already used${usedAt ? ` at ${usedAt}` : ''}: a link decides once` };
  }
}
