import { numberOf, s, stringOf, type Item } from './attributes';

/*
 * The items the blast-radius brake keeps in the ledger table, read by the
 * playbooks (lambda/ledger/brake.ts) and by the operator (`ir brake`):
 *  - brake#slot#NNN: one per containment allowed in the rolling hour;
 *  - brake#latch: present while the brake is latched (engaged until an
 *    operator releases it);
 *  - brake#release#<engagement id>: who released a latch, when and why.
 */

export const BRAKE_WINDOW_MS = 60 * 60 * 1000;
export const SLOT_KEY_PREFIX = 'brake#slot#';
export const LATCH_PK = 'brake#latch';
export const RELEASE_KEY_PREFIX = 'brake#release#';
/** blastRadius.maxContainmentsPerHour is at most this: one BatchGetItem reads every slot. */
export const MAX_SLOTS = 100;

export function slotKey(index: number): Item {
  return { pk: s(`${SLOT_KEY_PREFIX}${String(index).padStart(3, '0')}`) };
}

export const LATCH_KEY: Item = { pk: s(LATCH_PK) };

export function releaseKey(engagementId: string): Item {
  return { pk: s(`${RELEASE_KEY_PREFIX}${engagementId}`) };
}

export interface SlotHolder {
  readonly incidentId: string;
  readonly findingId: string;
  readonly playbook: string;
}

/** A slot as stored: who reserved it and when (epoch ms). */
export interface SlotItem extends Partial<SlotHolder> {
  readonly index: number;
  readonly reservedAt: number | undefined;
  readonly reservationId: string | undefined;
}

export function slotOf(index: number, item: Item | undefined): SlotItem {
  return {
    index,
    reservedAt: numberOf(item, 'reservedAt'),
    reservationId: stringOf(item, 'reservationId'),
    incidentId: stringOf(item, 'incidentId'),
    findingId: stringOf(item, 'findingId'),
    playbook: stringOf(item, 'playbook'),
  };
}

/** The latch as the first engagement wrote it; later engagements never overwrite it. */
export interface Latch {
  readonly engagementId: string;
  /** ISO time the brake engaged. */
  readonly engagedAt: string;
  /** The response that found the brake full and engaged it. */
  readonly incidentId: string;
  readonly findingId: string;
  readonly playbook: string;
  readonly limit: number;
  readonly reason: string;
}

export function latchItem(latch: Latch): Item {
  return {
    ...LATCH_KEY,
    engagementId: s(latch.engagementId),
    engagedAt: s(latch.engagedAt),
    incidentId: s(latch.incidentId),
    findingId: s(latch.findingId),
    playbook: s(latch.playbook),
    limit: { N: String(latch.limit) },
    reason: s(latch.reason),
  };
}

/** The latch an item holds; an item without an engagement id is still a latch (fail closed), described as unknown. */
export function latchOf(item: Item | undefined): Latch | undefined {
  if (!item) return undefined;
  return {
    engagementId: stringOf(item, 'engagementId') ?? '(unknown)',
    engagedAt: stringOf(item, 'engagedAt') ?? '(unknown)',
    incidentId: stringOf(item, 'incidentId') ?? '(unknown)',
    findingId: stringOf(item, 'findingId') ?? '(unknown)',
    playbook: stringOf(item, 'playbook') ?? '(unknown)',
    limit: numberOf(item, 'limit') ?? 0,
    reason: stringOf(item, 'reason') ?? '(no reason recorded)',
  };
}
