/*
 * Isolation first. While contain-instance's isolation moves are in flight,
 * the calls they wait for are the only ones sent: the reads nothing before
 * isolation needs (the account's alias for the notification, the Auto
 * Scaling, target group, instance profile, snapshot and termination
 * protection reads) are held until the isolation moves are sent, then sent
 * at once. Every call costs the Lambda CPU to sign, send and parse (a
 * fraction of a vCPU at the playbooks' memory size), counts against the
 * account's EC2 request rate that the workload under attack shares, and
 * queues at a service that answers in turn (the local emulator answers one
 * call at a time): a read sent beside the moves can only delay them. The
 * price is the rest of the playbook starting a round trip later, after the
 * instance is isolated.
 *
 * A response that sends no move before its reads (a dry-run, `ir plan`, any
 * playbook but contain-instance, a stop said before any call) clears the
 * hold at once (lambda/respond/read.ts); a response that stopped before its
 * reads clears it when its notification needs the alias (assemble.ts). The
 * hold lasts as long as the moves take to be sent: with moves by ENI id, an
 * isolation move is sent once its untrack move is answered, so a slow answer
 * (each is bounded: steps/move-time.ts, 12 s) holds the reads as long; they
 * are only needed after isolation.
 */

export class IsolationFirst {
  /** Settles once the held reads may go. */
  readonly cleared: Promise<void>;
  private release!: () => void;

  constructor() {
    this.cleared = new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  /** The isolation moves are sent: the held reads go on the event loop's next turn, once those requests are on the wire. */
  movesSent(): void {
    setImmediate(this.release);
  }

  /** No move precedes the reads (or the notification needs the alias now): they go at once. Idempotent, as movesSent is. */
  clear(): void {
    this.release();
  }
}
