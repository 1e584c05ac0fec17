import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, n, s, stringOf } from '../ledger/attributes';
import type { LedgerTable } from './decisions';

/*
 * Single use of an approval link: its nonce is written to the ledger once,
 * with a condition that it was never written. Whoever presents the link
 * second (a replay, a forwarded copy, a mail scanner that POSTs) is refused
 * and changes nothing. The nonce is consumed before the decision is
 * recorded: a link whose decision is then refused (plan changed, already
 * decided) is spent too, which is the safe side.
 *
 * A used nonce is needed only while its link could still be presented: after
 * the token's expiry the token check refuses the link (token.ts) before the
 * nonce is looked at. So the item carries the ledger's TTL attribute
 * (LEDGER_TTL_ATTRIBUTE, epoch seconds; the table's TimeToLiveSpecification
 * names it, lib/incident-ledger-table.ts), a day after the token expires.
 * DynamoDB never deletes an item before its TTL time, so a replay is always
 * refused, by the nonce or by the expiry, and the ledger does not keep every
 * used link forever.
 */

export const NONCE_KEY_PREFIX = 'approval-nonce#';

/**
 * The used nonces of the operators' identity proofs (identity-proof.ts), in
 * a key space of their own: the decision function may write these and no
 * link nonce (lib/approval/grants.ts), so a proof can never spend a link.
 */
export const PROOF_NONCE_KEY_PREFIX = 'approval-proof#';

/** What a nonce makes single-use: its key space in the ledger, and how a replay is described. */
export interface NonceKind {
  readonly keyPrefix: string;
  readonly noun: string;
  readonly article: 'a' | 'an';
}

export const LINK_NONCES: NonceKind = { keyPrefix: NONCE_KEY_PREFIX, noun: 'link', article: 'a' };
export const PROOF_NONCES: NonceKind = { keyPrefix: PROOF_NONCE_KEY_PREFIX, noun: 'identity proof', article: 'an' };

/** The ledger table's TTL attribute (epoch seconds). Only items that set it expire: the incidents and the brake's slots do not. */
export const LEDGER_TTL_ATTRIBUTE = 'deleteAfter';

/** How long a used nonce is kept after its token expired: a margin for clocks, far beyond any skew. */
export const NONCE_KEPT_AFTER_EXPIRY_S = 24 * 60 * 60;

export type NonceUse = { readonly status: 'consumed' } | { readonly status: 'replayed'; readonly detail: string };

/** @param tokenExpiresAt the link token's (or proof's) expiry, epoch seconds (token.ts). */
export function nonceWrite(table: string, nonce: string, incidentId: string, at: string, tokenExpiresAt: number, kind: NonceKind = LINK_NONCES) {
  return {
    TableName: table,
    Item: {
      pk: s(`${kind.keyPrefix}${nonce}`),
      incidentId: s(incidentId),
      usedAt: s(at),
      [LEDGER_TTL_ATTRIBUTE]: n(Math.ceil(tokenExpiresAt) + NONCE_KEPT_AFTER_EXPIRY_S),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

export async function consumeNonce(ledger: LedgerTable, nonce: string, incidentId: string, at: string, tokenExpiresAt: number, kind: NonceKind = LINK_NONCES): Promise<NonceUse> {
  try {
    await ledger.dynamodb.send(new PutItemCommand(nonceWrite(ledger.table, nonce, incidentId, at, tokenExpiresAt, kind)));
    return { status: 'consumed' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const usedAt = stringOf(error.Item, 'usedAt');
    return { status: 'replayed', detail: `this ${kind.noun} was already used${usedAt ? ` at ${usedAt}` : ''}: ${kind.article} ${kind.noun} decides once` };
  }
}
