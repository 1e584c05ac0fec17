import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toStepError } from '../aws/errors';
import { isConditionFailure, n, s, stringOf, type Item } from './attributes';
import { BRAKE_WINDOW_MS, LATCH_KEY, latchItem, latchOf, slotKey, slotOf, type Latch, type SlotHolder, type SlotItem } from './brake-items';

export { BRAKE_WINDOW_MS, SLOT_KEY_PREFIX, slotKey, type Latch, type SlotHolder } from './brake-items';

/*
 * The blast-radius brake: at most N containments per rolling hour across the
 * stack, whatever the flood of findings, and once it has been full it stays
 * engaged (latched) until an operator releases it (`ir brake release`), so a
 * sustained flood cannot isolate N more instances every hour.
 *
 * The table holds N slot items; a response that is about to change something
 * reserves one with a conditional put that succeeds only on a slot never used
 * or last reserved more than an hour ago. The write is the decision, so
 * concurrent playbooks can never hold more than N slots in any hour (the read
 * before it only picks which slots to try). A response that ends up not
 * acting releases its slot; a retry of the same incident finds and takes over
 * the slot its first attempt reserved, so a half-done containment is never
 * stopped halfway, not even by the latch.
 *
 * Every conditional write asks for the item it failed against
 * (ReturnValuesOnConditionCheckFailure: ALL_OLD). The SDK retries a write
 * whose answer was lost (a dropped connection, a timeout), and that retry
 * fails its condition against the write it made itself: it is recognised by
 * its reservation (or engagement) id and counts as done. So a lost answer
 * never takes a second slot, and never reads the brake as full.
 *
 * The latch is read beside the slots, not inside the slot writes' conditions:
 * a response that read it unengaged an instant before another engaged it can
 * still take a slot that had just aged out of the hour. The hourly limit
 * holds regardless; the latch holds from the next read on.
 */

/** Reads of the slots one reservation makes at most: the first, and one after each race it lost. */
export const MAX_SLOT_READS = 4;

export type Reservation =
  | { readonly status: 'reserved'; readonly slot: number; readonly reservationId: string; readonly reusedOwn: boolean }
  | FullBrake;

/** No slot for this response: the hour's containments are used up, or the brake is latched. */
export interface FullBrake {
  readonly status: 'full';
  readonly limit: number;
  /** When the oldest reservation ages out of the hour and a slot frees (ISO), when known. */
  readonly freesAt: string | undefined;
  /** The latch as read: present when the brake was already latched (the slots then do not matter). */
  readonly latch: Latch | undefined;
}

/** What publishing the engagement's one notification came to. */
export type Announcement = { readonly status: 'sent'; readonly detail: string } | { readonly status: 'failed'; readonly code: string; readonly message: string };

/** Publishes the one notification that the brake engaged (lambda/ledger/brake-announcement.ts); returns what to report. */
export type Announcer = (latch: Latch) => Promise<string>;

export type Engagement =
  /** engagedNow: this response engaged the latch (and announced it); false: another one had, first. */
  | { readonly status: 'latched'; readonly latch: Latch; readonly engagedNow: boolean; readonly announcement?: Announcement }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

export class ContainmentBrake {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    readonly maxPerHour: number,
    private readonly now: () => Date = () => new Date(),
    private readonly announce?: Announcer,
  ) {}

  /**
   * Two deliveries of one incident at the same instant both reserve, and
   * only one of them wins the incident's claim; the other then gives its
   * slot back. So a slot already held by the same incident is taken over
   * (its reservation id replaced with a conditional put), never shared: the
   * release of the delivery that lost the claim then finds a reservation
   * that is no longer its own and leaves the slot alone. And a delivery
   * whose puts all lost a race reads again (a few times at most), since the slot it lost may
   * be its own incident's (or its own incident's may have been released).
   * A latched brake refuses every reservation except that take-over; with
   * latchBindsOwn it refuses that one too (a response resumed after a
   * person's decision: its approved changes are new ones, lambda/respond/resume-brake.ts).
   */
  async reserve(holder: SlotHolder, options: { readonly latchBindsOwn?: boolean } = {}): Promise<Reservation> {
    const nowMs = this.now().getTime();
    const hourAgo = nowMs - BRAKE_WINDOW_MS;
    let slots: SlotItem[] = [];
    let latch: Latch | undefined;
    // Each lost race means another response moved on; after a few, the brake is as full as it looks.
    for (let read = 0; read < MAX_SLOT_READS; read += 1) {
      [slots, latch] = await Promise.all([this.readSlots(), this.readLatch()]);
      if (latch && options.latchBindsOwn) break;
      const own = slots.find((slot) => slot.incidentId === holder.incidentId && slot.reservedAt !== undefined && slot.reservedAt >= hourAgo);
      if (own?.reservationId && own.reservedAt !== undefined) {
        const reservationId = randomUUID();
        const taken = await this.put(own.index, own.reservedAt, reservationId, holder, 'reservationId = :previous', { ':previous': s(own.reservationId) });
        if (taken) return { status: 'reserved', slot: own.index, reservationId, reusedOwn: true };
        continue;
      }
      if (latch) break;
      // Free slots first, then the ones that aged out; spread over the free ones so concurrent playbooks rarely collide.
      const free = shuffled(slots.filter((slot) => slot.reservedAt === undefined || slot.reservedAt < hourAgo));
      for (const slot of free) {
        const reservationId = randomUUID();
        const taken = await this.put(slot.index, nowMs, reservationId, holder, 'attribute_not_exists(pk) OR reservedAt < :hourAgo', { ':hourAgo': n(hourAgo) });
        if (taken) return { status: 'reserved', slot: slot.index, reservationId, reusedOwn: false };
      }
      // Nothing was free at the read: no race was lost, reading again changes nothing.
      if (free.length === 0) break;
    }
    const held = slots.map((slot) => slot.reservedAt).filter((at): at is number => at !== undefined && at >= hourAgo);
    return {
      status: 'full',
      limit: this.maxPerHour,
      freesAt: held.length > 0 ? new Date(Math.min(...held) + BRAKE_WINDOW_MS).toISOString() : undefined,
      latch,
    };
  }

  /**
   * Latches the brake after a reservation found it full: one conditional put,
   * so the first engagement's time, incident and reason are kept, and only
   * that engagement announces it (once, however many responses are refused).
   * Never throws: a latch that could not be written is reported, and the
   * response is refused all the same (the brake is full).
   */
  async engage(full: FullBrake, holder: SlotHolder): Promise<Engagement> {
    if (full.latch) return { status: 'latched', latch: full.latch, engagedNow: false };
    const latch: Latch = {
      engagementId: randomUUID(),
      engagedAt: this.now().toISOString(),
      incidentId: holder.incidentId,
      findingId: holder.findingId,
      playbook: holder.playbook,
      limit: full.limit,
      reason:
        `${full.limit} containments started within an hour (blastRadius.maxContainmentsPerHour) ` +
        `and ${holder.playbook} asked for one more (incident ${holder.incidentId})`,
    };
    let engagedNow = true;
    let kept = latch;
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: latchItem(latch),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) return { status: 'failed', ...pick(toStepError(error)) };
      // Our own put, retried after its answer was lost, is still this engagement.
      if (stringOf(error.Item, 'engagementId') !== latch.engagementId) {
        engagedNow = false;
        kept = latchOf(error.Item) ?? (await this.readLatch().catch(() => undefined)) ?? latch;
      }
    }
    if (!engagedNow || !this.announce) return { status: 'latched', latch: kept, engagedNow };
    const announcement: Announcement = await this.announce(kept).then(
      (detail) => ({ status: 'sent' as const, detail }),
      (error: unknown) => ({ status: 'failed' as const, ...pick(toStepError(error)) }),
    );
    return { status: 'latched', latch: kept, engagedNow, announcement };
  }

  /** One conditional put of a slot; false when the condition failed against another response's reservation. */
  private async put(
    index: number,
    reservedAt: number,
    reservationId: string,
    holder: SlotHolder,
    condition: string,
    values: Item,
  ): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...slotKey(index),
            reservedAt: n(reservedAt),
            reservedAtIso: s(new Date(reservedAt).toISOString()),
            reservationId: s(reservationId),
            incidentId: s(holder.incidentId),
            findingId: s(holder.findingId),
            playbook: s(holder.playbook),
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The SDK's retry of a put whose answer was lost finds the put itself: the slot is ours.
      return stringOf(error.Item, 'reservationId') === reservationId;
    }
  }

  /**
   * Gives a slot back, only if it still holds this reservation. A retried
   * delete whose first answer was lost finds no item: its condition fails,
   * and the slot is free, as asked.
   */
  async release(reservation: { readonly slot: number; readonly reservationId: string }): Promise<void> {
    try {
      await this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: slotKey(reservation.slot),
          ConditionExpression: 'reservationId = :reservationId',
          ExpressionAttributeValues: { ':reservationId': s(reservation.reservationId) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Every slot, strongly consistent. Keys DynamoDB leaves unprocessed are tried as if free: the conditional put decides. */
  private async readSlots(): Promise<SlotItem[]> {
    const keys = Array.from({ length: this.maxPerHour }, (_, index) => slotKey(index));
    const answer = await this.dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    const items = new Map((answer.Responses?.[this.tableName] ?? []).map((item) => [stringOf(item, 'pk'), item]));
    return keys.map((key, index) => slotOf(index, items.get(key.pk!.S)));
  }

  /** The latch, strongly consistent: read beside the slots, so it costs no round trip. */
  private async readLatch(): Promise<Latch | undefined> {
    const answer = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: LATCH_KEY, ConsistentRead: true }));
    // The answer is never empty from DynamoDB; a stubbed client may give none.
    return latchOf(answer?.Item);
  }
}

function pick(error: { readonly code: string; readonly message: string }): { code: string; message: string } {
  return { code: error.code, message: error.message };
}

function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
