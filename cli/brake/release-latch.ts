import { randomUUID } from 'node:crypto';
import { GetItemCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toStepError } from '../../lambda/aws/errors';
import { n, s, stringOf } from '../../lambda/ledger/attributes';
import { LATCH_KEY, latchOf, releaseKey, type Latch } from '../../lambda/ledger/brake-items';
import type { BrakeState } from './brake-state';

/*
 * Releases a latched brake: one transaction deletes the latch, on the
 * condition that it is still the engagement the operator saw, and writes the
 * release record (who, when, why, what it cleared) beside it, so there is
 * never a release without its record. Then its record is kept in the
 * evidence bucket and the team told (cli/commands/brake.ts, release-note.ts).
 */

export interface ReleaseRecord {
  readonly key: string;
  readonly releaseId: string;
  readonly releasedAt: string;
  readonly releasedBy: string;
  readonly reason: string;
  readonly latch: Latch;
  /** Slots still held within the hour when it was released: the next containment past them latches again. */
  readonly slotsHeld: number;
}

export type ReleaseOutcome =
  | { readonly status: 'released'; readonly record: ReleaseRecord }
  /** The latch is no longer the one read: released by someone else, or engaged again since. Nothing was changed. */
  | { readonly status: 'changed'; readonly latch: Latch | undefined };

export function releaseRecordOf(state: BrakeState, latch: Latch, input: { releasedBy: string; reason: string; now: Date }): ReleaseRecord {
  return {
    key: releaseKey(latch.engagementId).pk!.S!,
    releaseId: randomUUID(),
    releasedAt: input.now.toISOString(),
    releasedBy: input.releasedBy,
    reason: input.reason,
    latch,
    slotsHeld: state.held.length,
  };
}

export async function releaseLatch(dynamodb: DynamoDBClient, table: string, record: ReleaseRecord): Promise<ReleaseOutcome> {
  const { latch } = record;
  try {
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: LATCH_KEY,
              ConditionExpression: 'engagementId = :seen',
              ExpressionAttributeValues: { ':seen': s(latch.engagementId) },
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                pk: s(record.key),
                kind: s('brake-release'),
                releaseId: s(record.releaseId),
                releasedAt: s(record.releasedAt),
                releasedBy: s(record.releasedBy),
                reason: s(record.reason),
                slotsHeld: n(record.slotsHeld),
                engagementId: s(latch.engagementId),
                engagedAt: s(latch.engagedAt),
                engagedByIncident: s(latch.incidentId),
                engagedByFinding: s(latch.findingId),
                engagedByPlaybook: s(latch.playbook),
                engagementReason: s(latch.reason),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return { status: 'released', record };
  } catch (error) {
    if (toStepError(error).code !== 'TransactionCanceledException') throw error;
    // A retry whose first attempt landed (its answer lost) is cancelled by its own writes: the record then holds our release id.
    const [recorded, now] = await Promise.all([
      dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: s(record.key) }, ConsistentRead: true })),
      dynamodb.send(new GetItemCommand({ TableName: table, Key: LATCH_KEY, ConsistentRead: true })),
    ]);
    if (stringOf(recorded.Item, 'releaseId') === record.releaseId) return { status: 'released', record };
    return { status: 'changed', latch: latchOf(now.Item) };
  }
}
