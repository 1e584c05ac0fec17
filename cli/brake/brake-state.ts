import { BatchGetItemCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ResponderError } from '../../lambda/aws/errors';
import { stringOf, type Item } from '../../lambda/ledger/attributes';
import { BRAKE_WINDOW_MS, LATCH_KEY, latchOf, MAX_SLOTS, slotKey, slotOf, type Latch } from '../../lambda/ledger/brake-items';

/*
 * The brake as an operator sees it (`ir brake status`, and `ir brake
 * release` before it acts): the latch, and the slots held within the rolling
 * hour. Every slot key the brake can use is read (MAX_SLOTS), not only the
 * configured number, so a slot left by an earlier, larger limit is shown too.
 */

export interface HeldSlot {
  readonly slot: number;
  readonly incidentId: string | undefined;
  readonly findingId: string | undefined;
  readonly playbook: string | undefined;
  /** ISO times: reserved, and when it ages out of the hour. */
  readonly reservedAt: string;
  readonly agesOutAt: string;
}

export interface BrakeState {
  readonly table: string;
  readonly region: string;
  /** blastRadius.maxContainmentsPerHour of the local configuration. */
  readonly limit: number;
  readonly latched: Latch | undefined;
  /** Slots reserved within the hour, oldest first. */
  readonly held: readonly HeldSlot[];
  readonly readAt: string;
}

/** BatchGetItem may leave keys unprocessed under load: asked again a few times, then the read fails rather than under-report. */
const SLOT_READ_ATTEMPTS = 5;

async function readSlotItems(dynamodb: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let keys: Item[] = Array.from({ length: MAX_SLOTS }, (_, index) => slotKey(index));
  for (let attempt = 0; attempt < SLOT_READ_ATTEMPTS && keys.length > 0; attempt += 1) {
    const answer = await dynamodb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of answer.Responses?.[table] ?? []) items.set(stringOf(item, 'pk') ?? '', item);
    keys = answer.UnprocessedKeys?.[table]?.Keys ?? [];
  }
  if (keys.length > 0) throw new ResponderError('UnprocessedKeys', `DynamoDB left ${keys.length} brake slots of ${table} unread after ${SLOT_READ_ATTEMPTS} attempts`, true);
  return items;
}

export async function readBrakeState(input: { dynamodb: DynamoDBClient; table: string; region: string; limit: number; now: Date }): Promise<BrakeState> {
  const { dynamodb, table, now } = input;
  const [latchAnswer, items] = await Promise.all([
    dynamodb.send(new GetItemCommand({ TableName: table, Key: LATCH_KEY, ConsistentRead: true })),
    readSlotItems(dynamodb, table),
  ]);
  const hourAgo = now.getTime() - BRAKE_WINDOW_MS;
  const held = Array.from({ length: MAX_SLOTS }, (_, index) => slotOf(index, items.get(slotKey(index).pk!.S!)))
    .filter((slot): slot is typeof slot & { reservedAt: number } => slot.reservedAt !== undefined && slot.reservedAt >= hourAgo)
    .sort((a, b) => a.reservedAt - b.reservedAt)
    .map((slot) => ({
      slot: slot.index,
      incidentId: slot.incidentId,
      findingId: slot.findingId,
      playbook: slot.playbook,
      reservedAt: new Date(slot.reservedAt).toISOString(),
      agesOutAt: new Date(slot.reservedAt + BRAKE_WINDOW_MS).toISOString(),
    }));
  return { table, region: input.region, limit: input.limit, latched: latchOf(latchAnswer.Item), held, readAt: now.toISOString() };
}
