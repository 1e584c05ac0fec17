import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, n, numberOf, s, stringOf, type Item } from './attributes';

/*
 * The blast-radius brake: at most N containments per rolling hour across the
 * stack, whatever the flood of findings. The table holds N slot items; a
 * response that is about to change something reserves one with a
 * conditional put that succeeds only on a slot never used or last reserved
 * more than an hour ago. The write is the decision, so concurrent playbooks
 * can never hold more than N slots in any hour (the read before it only
 * picks which slots to try). A response that ends up not acting releases
 * its slot; a retry of the same incident finds and takes over the slot its first
 * attempt reserved, so a half-done containment is never stopped halfway.
 */

export const BRAKE_WINDOW_MS = 60 * 60 * 1000;
export const SLOT_KEY_PREFIX = 'brake#slot#';
/** Reads of the slots one reservation makes at most: the first, and one after each race it lost. */
export const MAX_SLOT_READS = 4;

export function slotKey(index: number): Item {
  return { pk: s(`${SLOT_KEY_PREFIX}${String(index).padStart(3, '0')}`) };
}

export interface SlotHolder {
  readonly incidentId: string;
  readonly findingId: string;
  readonly playbook: string;
}

export type Reservation =
  | { readonly status: 'reserved'; readonly slot: number; readonly reservationId: string; readonly reusedOwn: boolean }
  | {
      readonly status: 'full';
      readonly limit: number;
      /** When the oldest reservation ages out of the hour and a slot frees (ISO), when known. */
      readonly freesAt: string | undefined;
    };

interface SlotState {
  readonly index: number;
  readonly reservedAt: number | undefined;
  readonly incidentId: string | undefined;
  readonly reservationId: string | undefined;
}

export class ContainmentBrake {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    readonly maxPerHour: number,
    private readonly now: () => Date = () => new Date(),
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
   */
  async reserve(holder: SlotHolder): Promise<Reservation> {
    const nowMs = this.now().getTime();
    const hourAgo = nowMs - BRAKE_WINDOW_MS;
    let slots: SlotState[] = [];
    // Each lost race means another response moved on; after a few, the brake is as full as it looks.
    for (let read = 0; read < MAX_SLOT_READS; read += 1) {
      slots = await this.readSlots();
      const own = slots.find((slot) => slot.incidentId === holder.incidentId && slot.reservedAt !== undefined && slot.reservedAt >= hourAgo);
      if (own?.reservationId && own.reservedAt !== undefined) {
        const reservationId = randomUUID();
        const taken = await this.put(own.index, own.reservedAt, reservationId, holder, 'reservationId = :previous', { ':previous': s(own.reservationId) });
        if (taken) return { status: 'reserved', slot: own.index, reservationId, reusedOwn: true };
        continue;
      }
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
    return { status: 'full', limit: this.maxPerHour, freesAt: held.length > 0 ? new Date(Math.min(...held) + BRAKE_WINDOW_MS).toISOString() : undefined };
  }

  /** One conditional put of a slot; false when the condition failed (another response holds it now). */
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
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Gives a slot back, only if it still holds this reservation. */
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
  private async readSlots(): Promise<SlotState[]> {
    const keys = Array.from({ length: this.maxPerHour }, (_, index) => slotKey(index));
    const answer = await this.dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    const items = new Map((answer.Responses?.[this.tableName] ?? []).map((item) => [stringOf(item, 'pk'), item]));
    return keys.map((key, index) => {
      const item = items.get(key.pk!.S);
      return { index, reservedAt: numberOf(item, 'reservedAt'), incidentId: stringOf(item, 'incidentId'), reservationId: stringOf(item, 'reservationId') };
    });
  }
}

function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
