import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, version as esbuildVersion, type Metafile } from 'esbuild';
import { PROJECT_ROOT, playbookBuildOptions, type BundleName } from './options';

/*
 * A cache of built bundles for the test runs only: `make test` bundles the
 * same functions in several places (the CDK assets of test/cdk/stack.test.ts,
 * test/cdk/lambda-bundle.test.ts), each build seconds of esbuild on a 2-core
 * machine. Off unless IR_BUNDLE_CACHE_DIR names a directory: the unit tests'
 * global setup makes one per run and removes it after
 * (test/support/bundle-cache-setup.ts); `cdk synth` and `make bench` never
 * set it, so what is deployed or measured is always built afresh.
 *
 * An entry is used only if every file esbuild read for it (the metafile's
 * inputs) still has the content it had, under the same bundling code and
 * esbuild version; otherwise the bundle is built again. Concurrent builds of
 * the same bundle (two jest workers, the CDK's bundling processes) wait for
 * the first one, through a lock directory.
 */

export const BUNDLE_CACHE_ENV = 'IR_BUNDLE_CACHE_DIR';

/** The bundling code itself: a change to the options or the plugin is a new cache key. */
const BUNDLER_SOURCES = ['options.ts', 'sdk-schema-keys.ts', 'cache.ts'].map((file) => join(__dirname, file));
const OUTDIR_MARK = '<outdir>';
const LOCK_WAIT_MS = 120_000;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The source map's paths are relative to the outdir: only an outdir as deep below the same root gets the same bytes. */
function keyOf(name: BundleName, outdir: string): string {
  const bundler = BUNDLER_SOURCES.map((file) => sha256(readFileSync(file))).join(',');
  return sha256(JSON.stringify({ name, esbuildVersion, bundler, node: process.version, root: relative(outdir, PROJECT_ROOT) }));
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

/** Builds `name` into `outdir` as lib/lambda-bundle/options.ts says, from the cache when IR_BUNDLE_CACHE_DIR is set and nothing it read changed. */
export async function buildBundleCached(name: BundleName, outdir: string): Promise<Metafile> {
  const cacheDir = process.env[BUNDLE_CACHE_ENV];
  const fresh = async () => (await build(playbookBuildOptions(name, outdir))).metafile ?? { inputs: {}, outputs: {} };
  if (!cacheDir) return fresh();
  const slot = join(cacheDir, `${name}-${keyOf(name, outdir).slice(0, 16)}`);
  mkdirSync(cacheDir, { recursive: true });
  return withLock(`${slot}.lock`, async () => {
    const entryFile = join(slot, 'entry.json');
    if (existsSync(entryFile)) {
      const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as Entry;
      if (inputsUnchanged(entry)) {
        mkdirSync(outdir, { recursive: true });
        cpSync(join(slot, 'out'), outdir, { recursive: true });
        return JSON.parse(entry.metafile.split(OUTDIR_MARK).join(outdirOf(outdir))) as Metafile;
      }
    }
    const metafile = await fresh();
    const inputs = Object.keys(metafile.inputs).map((path) => [path, sha256(readFileSync(join(PROJECT_ROOT, path)))] as const);
    const entry: Entry = { inputs, metafile: JSON.stringify(metafile).split(outdirOf(outdir)).join(OUTDIR_MARK) };
    // Written aside, then moved in place: a reader never sees half an entry.
    const staging = `${slot}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(outdir, join(staging, 'out'), { recursive: true });
    writeFileSync(join(staging, 'entry.json'), JSON.stringify(entry));
    rmSync(slot, { recursive: true, force: true });
    renameSync(staging, slot);
    return metafile;
  });
}
