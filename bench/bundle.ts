import { join } from 'node:path';
import { buildPlaybookBundle, type PlaybookBundle } from '../lib/lambda-bundle/build';
import { PROJECT_ROOT } from '../lib/lambda-bundle/options';
import type { PlaybookName } from '../lambda/routing/playbook-names';

/* Each playbook's Lambda bundle, built as `cdk synth` builds it (lib/lambda-bundle/). */

export const BUNDLE_DIR = join(PROJECT_ROOT, 'bench', '.out');

export type Bundle = PlaybookBundle;

export function buildBundle(playbook: PlaybookName): Promise<Bundle> {
  return buildPlaybookBundle(playbook, join(BUNDLE_DIR, playbook));
}
