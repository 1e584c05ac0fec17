import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_CACHE_ENV } from '../../lib/lambda-bundle/cache';

/*
 * Jest's global setup: one bundle cache for this run (lib/lambda-bundle/cache.ts),
 * shared by the workers and the CDK's bundling processes they start, so a
 * function bundled by one test file is not bundled again by another. Each
 * entry is checked against the content of every file it was built from.
 */
export default function setUpBundleCache(): void {
  if (process.env[BUNDLE_CACHE_ENV]) return;
  process.env[BUNDLE_CACHE_ENV] = mkdtempSync(join(tmpdir(), 'ir-bundle-cache-'));
  process.env.IR_BUNDLE_CACHE_OWNED = 'true';
}
