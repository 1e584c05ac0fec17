import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { PlaybookName } from '../routing/playbook-names';

export interface GuardContext {
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  readonly config: RuntimeConfig;
  /** True when this run must not change anything (stack mode, `dryRun: true`, or `ir` without --execute). */
  readonly dryRun: boolean;
  /** Why this run is a dry-run, in words for the report (defaults to the stack's mode). */
  readonly dryRunReason?: string;
  /** Tags of the resource as read now; falls back to the tags in the finding when not read. */
  readonly resourceTags: Readonly<Record<string, string>>;
}

export interface GuardVerdict {
  readonly id: string;
  readonly blocks: boolean;
  readonly reason: string;
}

/** A guard is a pure check; it never calls AWS. */
export interface Guard {
  readonly id: string;
  readonly check: (ctx: GuardContext) => GuardVerdict;
}

export function pass(id: string, reason: string): GuardVerdict {
  return { id, blocks: false, reason };
}

export function block(id: string, reason: string): GuardVerdict {
  return { id, blocks: true, reason };
}
