import { findingInstanceTags } from '../../finding/accessors';
import type { Playbook } from '../types';

type NotifyFacts = Record<string, never>;

/** Reports the finding and takes no action: for everything the routing table does not act on. */
export const notifyPlaybook: Playbook<NotifyFacts> = {
  name: 'notify',
  description: 'Report the finding to the security team; change nothing.',
  stepSpecs: [],
  discover: async () => ({}),
  offlineFacts: () => ({}),
  plan: ({ finding }) => ({
    steps: [],
    warnings: [],
    verdicts: [],
    resourceTags: findingInstanceTags(finding),
    resource: { resourceType: finding.resource?.resourceType ?? null },
  }),
};
