import type { Playbook } from '../types';
import { discoverBucketExposureFacts } from './discover';
import type { BucketExposureFacts } from './facts';
import { offlineBucketExposureFacts } from './offline-facts';
import { planBlockPublicAccess } from './plan';
import { BLOCK_PUBLIC_ACCESS_STEP_SPECS } from './specs';

/** A bucket open to the public: its settings, policy status and ACL are recorded, then Block Public Access is turned on for it. */
export const blockPublicAccessPlaybook: Playbook<BucketExposureFacts> = {
  name: 'block-public-access',
  description:
    'Close a public S3 bucket: record its public access block, policy status and ACL (evidence and the restore record), ' +
    'then turn on all four Block Public Access settings for that bucket; ir release --bucket puts the recorded settings back.',
  stepSpecs: BLOCK_PUBLIC_ACCESS_STEP_SPECS,
  discover: discoverBucketExposureFacts,
  offlineFacts: offlineBucketExposureFacts,
  plan: planBlockPublicAccess,
};
