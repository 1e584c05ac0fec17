import { rmSync } from 'node:fs';
import { BUNDLE_CACHE_ENV } from '../../lib/lambda-bundle/cache';

/** Jest's global teardown: removes the run's bundle cache, if the setup made it (bundle-cache-setup.ts). */
export default function removeBundleCache(): void {
  const dir = process.env[BUNDLE_CACHE_ENV];
  if (dir && process.env.IR_BUNDLE_CACHE_OWNED === 'true') rmSync(dir, { recursive: true, force: true });
}
