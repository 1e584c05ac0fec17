import { instanceIdOf } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import type { StepSpec } from '../plan/types';
import type { PlaybookName } from '../routing/playbook-names';
import { READ_CONSOLE_OUTPUT } from './specs';

/**
 * The evidence reads each playbook makes in the finding's account, beyond
 * its own steps: the member role must hold them (lib/member/member-actions.ts).
 */
export const EVIDENCE_READS: Readonly<Record<PlaybookName, readonly StepSpec[]>> = {
  'contain-instance': [READ_CONSOLE_OUTPUT],
  'revoke-credentials': [],
  'block-public-access': [],
  'quarantine-object': [],
  'contain-function': [],
  // A sequence finding names no instance of its own (consoleOutputInstance): its instances' console output is not kept.
  'answer-sequence': [],
  'contain-task': [],
  'contain-eks': [],
  'contain-database': [],
  'quarantine-image': [],
  notify: [],
};

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** The instance whose console output is kept: the one contain-instance contains, when the finding names a well-formed id. */
export function consoleOutputInstance(playbook: PlaybookName, finding: Finding): string | undefined {
  if (!EVIDENCE_READS[playbook].includes(READ_CONSOLE_OUTPUT)) return undefined;
  const instanceId = instanceIdOf(finding);
  return instanceId && INSTANCE_ID.test(instanceId) ? instanceId : undefined;
}
