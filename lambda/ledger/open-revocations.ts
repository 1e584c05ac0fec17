import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringOf, type Item } from './attributes';

/*
 * Which other OPEN restore records of an account say their response revoked
 * the sessions of one IAM principal (a `sessionPolicy:<kind>:<name>`
 * attribute: revoke-credentials, contain-function). AWSRevokeOlderSessions
 * is one policy per principal, whoever wrote it: releasing one resource must
 * not take it away while another incident still depends on it (the role's
 * credentials stolen in a second incident, say).
 *
 * A Scan with a filter: the ledger has one key and no index. A release is a
 * rare, manual act, so reading the whole table (page by page, consistently)
 * is the price of not adding an index every response would have to keep
 * true. Records written by responses that keep no restore record (ir respond
 * without a ledger) are not seen; contain-instance names the instance role
 * it revoked in its containment record (docs/design.md, Release).
 */

export interface OpenRevocation {
  /** The other record's key: restore#<account>#... */
  readonly key: string;
  readonly incidentId: string | undefined;
  readonly kind: string | undefined;
  readonly resourceId: string | undefined;
}

export interface RevokedPrincipal {
  readonly kind: 'user' | 'role';
  readonly name: string;
}

/** The attribute a restore record holds for a principal whose sessions its response revoked (restore-record.ts writes it). */
export function sessionPolicyAttribute(principal: RevokedPrincipal): string {
  return `sessionPolicy:${principal.kind}:${principal.name}`;
}

export async function scanOpenRevocations(
  dynamodb: DynamoDBClient,
  tableName: string,
  args: { readonly accountId: string; readonly principal: RevokedPrincipal; readonly exceptKey: string },
): Promise<OpenRevocation[]> {
  const found: OpenRevocation[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        // Every restore key of the account starts restore#<account>#; a closed record was released and holds nothing up.
        FilterExpression: 'begins_with(pk, :prefix) AND pk <> :self AND attribute_exists(#policy) AND attribute_not_exists(closedAt)',
        ProjectionExpression: 'pk, incidentId, #kind, resourceId',
        ExpressionAttributeNames: { '#policy': sessionPolicyAttribute(args.principal), '#kind': 'kind' },
        ExpressionAttributeValues: { ':prefix': { S: `restore#${args.accountId}#` }, ':self': { S: args.exceptKey } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = stringOf(item, 'pk');
      if (key) found.push({ key, incidentId: stringOf(item, 'incidentId'), kind: stringOf(item, 'kind'), resourceId: stringOf(item, 'resourceId') });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found.sort((a, b) => a.key.localeCompare(b.key));
}
