/*
 * What a warm container remembers of the blast-radius brake: the last time
 * its own response found the hour's slots used up. The brake is read beside
 * contain-instance's early move, not before it, so a container that has seen
 * the brake full sends no more early moves for the brake's hour: a latched
 * brake should not have every later finding move an instance and put it back.
 * Memory only narrows what is sent before the reads; the brake itself is
 * always read and decides (lambda/respond/gate.ts).
 */

/** The brake counts containments per hour (lambda/ledger/brake.ts). */
export const BRAKE_MEMORY_MS = 60 * 60 * 1000;

let fullAt: number | undefined;

/** This container's response found the brake full (its reservation refused). */
export function noteBrakeFull(now: number): void {
  fullAt = now;
}

/** Whether this container found the brake full within its hour. */
export function brakeFullRecently(now: number): boolean {
  return fullAt !== undefined && now - fullAt < BRAKE_MEMORY_MS;
}

/** For tests: forget. */
export function forgetBrake(): void {
  fullAt = undefined;
}
