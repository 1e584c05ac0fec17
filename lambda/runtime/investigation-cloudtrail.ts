import type { DeferredClientClass } from '../aws/clients';

/**
 * revoke-credentials' CloudTrail client class, imported on first use: what
 * the key did is looked up after the key is deactivated (read-only), so its
 * code (about 45 kB of the bundle) is not loaded before containment.
 */
export const INVESTIGATION_CLOUDTRAIL: DeferredClientClass<'cloudTrail'> = {
  deferred: () => import('../investigation/cloudtrail-sdk').then((sdk) => sdk.CloudTrailClient),
};
