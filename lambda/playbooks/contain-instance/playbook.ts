import type { Playbook } from '../types';

// Placeholder until the playbook is written.
export const containInstancePlaybook: Playbook<Record<string, never>> = {
  name: 'contain-instance',
  description: 'TODO',
  stepSpecs: [],
  discover: async () => ({}),
  offlineFacts: () => ({}),
  plan: () => ({ steps: [], warnings: [], verdicts: [], resourceTags: {}, resource: {} }),
};
