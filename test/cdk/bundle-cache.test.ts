import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLE_CACHE_ENV, buildBundleCached, serveCachedBundle } from '../../lib/lambda-bundle/cache';
import { BUNDLE_FILE, PROJECT_ROOT } from '../../lib/lambda-bundle/options';

/*
 * The test runs' bundle cache (lib/lambda-bundle/cache.ts): an entry is used
 * only while every file it was built from is unchanged. A marker written into
 * the cached copy shows whether a build came from the cache.
 */

const MARKER = '\n// served from the bundle cache\n';
let root: string;
let cacheDir: string;
const saved = process.env[BUNDLE_CACHE_ENV];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bundle-cache-test-'));
  cacheDir = join(root, 'cache');
  process.env[BUNDLE_CACHE_ENV] = cacheDir;
});
afterAll(() => {
  if (saved === undefined) delete process.env[BUNDLE_CACHE_ENV];
  else process.env[BUNDLE_CACHE_ENV] = saved;
  rmSync(root, { recursive: true, force: true });
});

const slotOf = () => join(cacheDir, readdirSync(cacheDir).find((name) => name.startsWith('notify-') && !name.endsWith('.lock'))!);
const bundleIn = (outdir: string) => readFileSync(join(outdir, BUNDLE_FILE), 'utf8');

it('serves a bundle built before, with its metafile naming the new outdir, while nothing it was built from changed; builds it again once an input changed', async () => {
  const first = join(root, 'a', 'notify');
  const built = await buildBundleCached('notify', first);
  expect(Object.keys(built.outputs).every((path) => path.includes('/a/notify/'))).toBe(true);
  appendFileSync(join(slotOf(), 'out', BUNDLE_FILE), MARKER);

  const second = join(root, 'b', 'notify');
  const served = await buildBundleCached('notify', second);
  expect(bundleIn(second).endsWith(MARKER)).toBe(true);
  expect(Object.keys(served.outputs).sort()).toEqual(Object.keys(built.outputs).map((path) => path.replace('/a/notify/', '/b/notify/')).sort());
  expect(Object.keys(served.inputs)).toEqual(Object.keys(built.inputs));

  // As if a source of the bundle had changed since: its recorded hash no longer matches.
  const entryFile = join(slotOf(), 'entry.json');
  const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as { inputs: [string, string][] };
  const handler = entry.inputs.findIndex(([path]) => path === 'lambda/handlers/notify.ts');
  expect(handler).toBeGreaterThanOrEqual(0);
  entry.inputs[handler]![1] = '0'.repeat(64);
  writeFileSync(entryFile, JSON.stringify(entry));

  const third = join(root, 'c', 'notify');
  await buildBundleCached('notify', third);
  expect(bundleIn(third).endsWith(MARKER)).toBe(false);
  expect(bundleIn(third)).toBe(bundleIn(first));
}, 120_000);

it('is off without IR_BUNDLE_CACHE_DIR: the bundle is built afresh, never served from a cache', async () => {
  appendFileSync(join(slotOf(), 'out', BUNDLE_FILE), MARKER);
  delete process.env[BUNDLE_CACHE_ENV];
  try {
    const outdir = join(root, 'd', 'notify');
    await buildBundleCached('notify', outdir);
    expect(bundleIn(outdir).endsWith(MARKER)).toBe(false);
  } finally {
    process.env[BUNDLE_CACHE_ENV] = cacheDir;
  }
  // The marked copy is still what the cache holds: the build without the variable did not read it.
  const outdir = join(root, 'e', 'notify');
  await buildBundleCached('notify', outdir);
  expect(bundleIn(outdir).endsWith(MARKER)).toBe(true);
}, 120_000);

it('writes the source maps of a bundle it serves relative to the outdir it serves into, as a build there would', async () => {
  const mapOf = (outdir: string) => JSON.parse(readFileSync(join(outdir, `${BUNDLE_FILE}.map`), 'utf8')) as { sources: string[]; mappings: string };
  delete process.env[BUNDLE_CACHE_ENV];
  const fresh = join(root, 'f', 'g', 'h', 'notify');
  try {
    await buildBundleCached('notify', fresh);
  } finally {
    process.env[BUNDLE_CACHE_ENV] = cacheDir;
  }
  // Served from the entry built two directories shallower (root/a/notify).
  const served = join(root, 'i', 'j', 'k', 'notify');
  await buildBundleCached('notify', served);
  expect(bundleIn(served).endsWith(MARKER)).toBe(true);
  expect(mapOf(served).sources).toEqual(mapOf(fresh).sources);
  // And the same code: only the chunks' names differ, esbuild's hash of each output covering where it was written.
  const withoutChunkHashes = (code: string) => code.replace(/-[A-Z0-9]{8}\.mjs/g, '-HASH.mjs');
  expect(withoutChunkHashes(bundleIn(served).slice(0, -MARKER.length))).toBe(withoutChunkHashes(bundleIn(fresh)));
  expect(mapOf(served).sources.map((source) => resolve(served, source))).toContain(join(PROJECT_ROOT, 'lambda', 'handlers', 'notify.ts'));
}, 120_000);

it('serves the CDK’s synchronous bundling (code.ts) from the cache when it holds the bundle, and says so; nothing when the variable is not set or the bundle is not cached', () => {
  const outdir = join(root, 'cdk', 'notify');
  expect(serveCachedBundle('notify', outdir)).toBe(true);
  expect(bundleIn(outdir).endsWith(MARKER)).toBe(true);
  expect(serveCachedBundle('contain-instance', join(root, 'cdk', 'contain-instance'))).toBe(false);
  delete process.env[BUNDLE_CACHE_ENV];
  try {
    expect(serveCachedBundle('notify', join(root, 'cdk2', 'notify'))).toBe(false);
  } finally {
    process.env[BUNDLE_CACHE_ENV] = cacheDir;
  }
  expect(readdirSync(root)).not.toContain('cdk2');
});
