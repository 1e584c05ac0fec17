import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, version as esbuildVersion, type Metafile } from 'esbuild';
import { PROJECT_ROOT, playbookBuildOptions, type BundleName } from './options';

/*
 * A cache of built bundles for the test runs only: `make test` bundles the
 * same functions in several places (the CDK assets of test/cdk/stack.test.ts,
 * test/cdk/lambda-bundle.test.ts), each build seconds of esbuild on a 2-core
 * machine. Off unless IR_BUNDLE_CACHE_DIR names a directory: the unit tests'
 * global setup makes one per run and removes it after
 * (test/support/bundle-cache-setup.ts); `cdk synth`, `cdk deploy` and
 * `make bench` run by hand never set it, so what is deployed or measured is
 * built afresh.
 *
 * An entry is used only if every file esbuild read for it (the metafile's
 * inputs) still has the content it had, under the same bundling code and
 * esbuild version; otherwise the bundle is built again. Concurrent builds of
 * the same bundle (two jest workers, the CDK's bundling processes) wait for
 * the first one, through a lock directory.
 *
 * `make test` gives its stages one directory (Makefile), so the bundles of
 * `make synth`, of the all-features stack of `make lint-templates` and of the
 * CDK tests are built once; the templates it synthesises are only linted,
 * never deployed.
 */

export const BUNDLE_CACHE_ENV = 'IR_BUNDLE_CACHE_DIR';

/** The bundling code itself: a change to the options or the plugin is a new cache key. */
const BUNDLER_SOURCES = ['options.ts', 'sdk-schema-keys.ts', 'cache.ts'].map((file) => join(__dirname, file));
const OUTDIR_MARK = '<outdir>';
const LOCK_WAIT_MS = 120_000;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function keyOf(name: BundleName): string {
  const bundler = BUNDLER_SOURCES.map((file) => sha256(readFileSync(file))).join(',');
  return sha256(JSON.stringify({ name, esbuildVersion, bundler, node: process.version }));
}

/** Marks a source map's source as a path from PROJECT_ROOT, not from the outdir it was written to. */
const ROOT_MARK = '<root>/';

/**
 * The only bytes of a bundle that depend on where it was written: each source
 * map names its sources relative to its own directory. Cached with paths
 * from PROJECT_ROOT (toRoot), written back relative to the outdir it is
 * served into (fromRoot), so cdk.out's assets and a test's temporary
 * directory share one entry.
 */
function rewriteSourceMaps(dir: string, direction: 'toRoot' | 'fromRoot', writtenTo: string = dir): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.map')) continue;
    const file = join(entry.parentPath, entry.name);
    // The directory the map's paths are relative to: where esbuild wrote it (a copy may be elsewhere), or where it is served.
    const base = join(writtenTo, relative(dir, entry.parentPath));
    const map = JSON.parse(readFileSync(file, 'utf8')) as { sources?: string[] };
    map.sources = (map.sources ?? []).map((source) =>
      direction === 'toRoot'
        ? ROOT_MARK + relative(PROJECT_ROOT, resolve(base, source)).split('\\').join('/')
        : source.startsWith(ROOT_MARK)
          ? relative(base, join(PROJECT_ROOT, source.slice(ROOT_MARK.length))).split('\\').join('/')
          : source,
    );
    writeFileSync(file, JSON.stringify(map));
  }
}

interface Entry {
  /** Each input esbuild read (path relative to PROJECT_ROOT, as in the metafile) and its content's hash. */
  readonly inputs: readonly (readonly [string, string])[];
  /** The metafile, the outdir written as OUTDIR_MARK. */
  readonly metafile: string;
}

function inputsUnchanged(entry: Entry): boolean {
  return entry.inputs.every(([path, hash]) => {
    const absolute = join(PROJECT_ROOT, path);
    return existsSync(absolute) && sha256(readFileSync(absolute)) === hash;
  });
}

const outdirOf = (outdir: string) => relative(PROJECT_ROOT, outdir).split('\\').join('/');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** mkdir is atomic: the first to create the lock builds, the others wait for it to go. A lock older than LOCK_WAIT_MS is a crashed build's. */
async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : Date.now());
      if (age > LOCK_WAIT_MS || Date.now() - started > LOCK_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The entry's bundle copied into `outdir`, and its metafile, if the entry is there and nothing it was built from changed. */
function serveFromSlot(slot: string, outdir: string): Metafile | undefined {
  const entryFile = join(slot, 'entry.json');
  if (!existsSync(entryFile)) return undefined;
  const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as Entry;
  if (!inputsUnchanged(entry)) return undefined;
  mkdirSync(outdir, { recursive: true });
  cpSync(join(slot, 'out'), outdir, { recursive: true });
  rewriteSourceMaps(outdir, 'fromRoot');
  return JSON.parse(entry.metafile.split(OUTDIR_MARK).join(outdirOf(outdir))) as Metafile;
}

const slotOf = (cacheDir: string, name: BundleName) => join(cacheDir, `${name}-${keyOf(name).slice(0, 16)}`);

/**
 * For the CDK's synchronous bundling (code.ts): the bundle from the cache
 * when it is there and valid, without starting a bundling process; false
 * (build it) otherwise, or on any error reading the entry.
 */
export function serveCachedBundle(name: BundleName, outdir: string): boolean {
  const cacheDir = process.env[BUNDLE_CACHE_ENV];
  if (!cacheDir) return false;
  try {
    return serveFromSlot(slotOf(cacheDir, name), outdir) !== undefined;
  } catch {
    return false;
  }
}

/** Builds `name` into `outdir` as lib/lambda-bundle/options.ts says, from the cache when IR_BUNDLE_CACHE_DIR is set and nothing it read changed. */
export async function buildBundleCached(name: BundleName, outdir: string): Promise<Metafile> {
  const cacheDir = process.env[BUNDLE_CACHE_ENV];
  const fresh = async () => (await build(playbookBuildOptions(name, outdir))).metafile ?? { inputs: {}, outputs: {} };
  if (!cacheDir) return fresh();
  const slot = slotOf(cacheDir, name);
  mkdirSync(cacheDir, { recursive: true });
  return withLock(`${slot}.lock`, async () => {
    const served = serveFromSlot(slot, outdir);
    if (served) return served;
    const metafile = await fresh();
    const inputs = Object.keys(metafile.inputs).map((path) => [path, sha256(readFileSync(join(PROJECT_ROOT, path)))] as const);
    const entry: Entry = { inputs, metafile: JSON.stringify(metafile).split(outdirOf(outdir)).join(OUTDIR_MARK) };
    // Written aside, then moved in place: a reader never sees half an entry.
    const staging = `${slot}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(outdir, join(staging, 'out'), { recursive: true });
    rewriteSourceMaps(join(staging, 'out'), 'toRoot', outdir);
    writeFileSync(join(staging, 'entry.json'), JSON.stringify(entry));
    rmSync(slot, { recursive: true, force: true });
    renameSync(staging, slot);
    return metafile;
  });
}
