import type { Playbook } from '../types';

// Placeholder until the playbook is written.
export const revokeCredentialsPlaybook: Playbook<Record<string, never>> = {
  name: 'revoke-credentials',
  description: 'TODO',
  stepSpecs: [],
  discover: async () => ({}),
  offlineFacts: () => ({}),
  plan: () => ({ steps: [], warnings: [], verdicts: [], resourceTags: {}, resource: {} }),
};
