import type { EarlyMoveGate, FirstSteps } from '../playbooks/types';
import type { ResponseStart } from './begin';
import { discoveryContextOf, type RespondOptions } from './options';

/**
 * The phase `read`: the playbook's discovery in the finding's account,
 * started at once. A playbook with staged discovery (contain-instance)
 * also yields its first steps as soon as the reads they need are in
 * (`first`), while the other reads go on (`all`). Offline (no account
 * reached), the facts come from the finding alone.
 */
export interface Reading {
  readonly first: Promise<FirstSteps> | undefined;
  readonly all: Promise<unknown>;
}

/** `earlyMove`: the staged discovery may send its first change before reading (lambda/respond/early-move-allowed.ts). */
export function readResource(begun: ResponseStart, options: RespondOptions, staged: boolean, earlyMove?: EarlyMoveGate): Reading {
  const { finding } = begun.planning;
  // No move before the reads: nothing to hold the other reads for (isolation-first.ts).
  if (!(staged && earlyMove)) begun.isolationFirst.clear();
  const clients = begun.account.clients;
  if (!clients) return { first: undefined, all: Promise.resolve(begun.playbook.offlineFacts(finding)) };
  if (staged && begun.playbook.discoverStaged) {
    const discovery = begun.playbook.discoverStaged(finding, clients, begun.reads, { ...discoveryContextOf(options), ...(earlyMove ? { earlyMove } : {}) });
    return { first: discovery.first, all: discovery.all };
  }
  return { first: undefined, all: begun.playbook.discover(finding, clients, begun.reads, discoveryContextOf(options)) };
}
