import type { DeferredClientClass } from '../aws/clients';

/**
 * Every playbook's S3 client class, imported on first use: the evidence is
 * written after containment, so the S3 code (about 80 kB of a bundle) is a
 * chunk of its own that a cold start does not load before isolation.
 */
export const EVIDENCE_S3: DeferredClientClass<'s3'> = {
  deferred: () => import('../evidence/s3-sdk').then((sdk) => sdk.S3Client),
};
