/** `ir` exit codes: scripts and runbooks depend on them. */
export const EXIT = {
  ok: 0,
  /** A step failed (or a read the plan needed). */
  actionFailed: 1,
  /** The input or the options were wrong; nothing was planned or done. */
  badInput: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix; printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
