import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { PROJECT_ROOT, playbookBuildOptions } from '../lib/lambda-bundle/options';
import { EVERY_CLIENT } from '../lambda/aws/every-client';
import type { ServiceName } from '../lambda/aws/clients';
import { PLAYBOOK_NAMES, type PlaybookName } from '../lambda/routing/playbook-names';
import { PLAYBOOK_ENTRIES } from '../test/support/playbook-entries';
import { BUNDLE_DIR, buildBundle, type Bundle } from './bundle';
import { median } from './stats';

/*
 * What Lambda's init phase pays to load a playbook: its bundle imported in a
 * fresh Node process, next to the same SDK clients required from
 * node_modules without bundling. Median of several fresh processes each.
 * The chunks a bundle imports on first use (the evidence's S3 client) are
 * not loaded at init: their size and load time are reported beside it.
 */

export interface ColdStartRow {
  readonly playbook: PlaybookName;
  readonly bundleBytes: number;
  readonly gzipBytes: number;
  readonly loadMs: number;
  /** The same loads' CPU time (the process's user and system time during the import): what a loaded machine inflates least. */
  readonly loadCpuMs: number;
  readonly unbundledLoadMs: number;
  /**
   * The SDK client classes the init loads are exactly those its entry point
   * (lambda/handlers/) loads at cold start: its own services, less those it
   * imports on first use. The issue's "only its own SDK clients".
   */
  readonly ownClientsOnly: boolean;
}

/** With what a cold start does not load: the chunks imported on first use (the evidence's S3 client, written after containment). */
export interface ColdStartDetail extends ColdStartRow {
  readonly deferredBytes: number;
  /** Importing every deferred chunk after the bundle: what the first evidence write adds, once per container. */
  readonly deferredLoadMs: number;
  /**
   * The same SDK client classes bundled alone, with the bundles' options and
   * none of the playbook: the floor any bundle of these clients starts from.
   * When it is above a third of unbundledLoadMs, no playbook code can meet
   * that part of the target.
   */
  readonly sdkOnlyLoadMs: number;
  /** How many SDK client classes the init loads. */
  readonly sdkClients: number;
}

/** The client class names the entry point loads at cold start (not those it imports on first use). */
function ownEagerClientClasses(playbook: PlaybookName): string[] {
  return Object.entries(PLAYBOOK_ENTRIES[playbook].clientClasses)
    .filter(([, entry]) => !('deferred' in entry))
    .map(([service]) => EVERY_CLIENT[service as ServiceName].name)
    .sort();
}

function timedLoad(script: string): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  const ms = Number(out.trim().split('\n').pop());
  if (!Number.isFinite(ms)) throw new Error(`load timing printed no number: ${out}`);
  return ms;
}

/** The bundle's SDK client classes alone, built as the playbooks are (lib/lambda-bundle/options.ts). */
async function buildSdkOnly(bundle: Bundle): Promise<string> {
  const outdir = join(BUNDLE_DIR, `${bundle.playbook}-sdk-only`);
  const options = playbookBuildOptions(bundle.playbook, outdir);
  const contents = bundle.sdkClientClasses.map(([name, className]) => `export { ${className} } from '${name}';`).join('\n');
  await build({ ...options, entryPoints: undefined, stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'index.ts' }, outdir: undefined, outfile: join(outdir, 'index.mjs'), splitting: false, chunkNames: undefined });
  return join(outdir, 'index.mjs');
}

const sizeOf = (files: readonly string[]) => files.reduce((sum, file) => sum + statSync(file).size, 0);
const gzipSizeOf = (files: readonly string[]) => files.reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
const urls = (files: readonly string[]) => JSON.stringify(files.map((file) => `file://${file}`));

export async function benchColdStart(runs: number): Promise<ColdStartDetail[]> {
  const rows: ColdStartDetail[] = [];
  for (const playbook of PLAYBOOK_NAMES) {
    const bundle = await buildBundle(playbook);
    const loadBundle = `const t = performance.now(); await import(${JSON.stringify(`file://${bundle.file}`)}); console.log(performance.now() - t);`;
    const loadBundleCpu = `const c = process.cpuUsage(); await import(${JSON.stringify(`file://${bundle.file}`)}); const d = process.cpuUsage(c); console.log((d.user + d.system) / 1000);`;
    const loadClients =
      `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(`${PROJECT_ROOT}/package.json`)});` +
      `const t = performance.now(); for (const name of ${JSON.stringify(bundle.sdkClientClasses.map(([name]) => name))}) require(name); console.log(performance.now() - t);`;
    const loadDeferred =
      `await import(${JSON.stringify(`file://${bundle.file}`)}); const t = performance.now();` +
      `for (const url of ${urls(bundle.deferredFiles)}) await import(url); console.log(performance.now() - t);`;
    const sdkOnly = await buildSdkOnly(bundle);
    const loadSdkOnly = `const t = performance.now(); await import(${JSON.stringify(`file://${sdkOnly}`)}); console.log(performance.now() - t);`;
    const loads: number[] = [];
    const loadCpus: number[] = [];
    const unbundled: number[] = [];
    const deferred: number[] = [];
    const sdkOnlyLoads: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      loads.push(timedLoad(loadBundle));
      loadCpus.push(timedLoad(loadBundleCpu));
      unbundled.push(timedLoad(loadClients));
      deferred.push(timedLoad(loadDeferred));
      sdkOnlyLoads.push(timedLoad(loadSdkOnly));
    }
    rows.push({
      playbook,
      // What a cold start loads: index.mjs and the chunks it imports statically.
      bundleBytes: sizeOf(bundle.eagerFiles),
      gzipBytes: gzipSizeOf(bundle.eagerFiles),
      loadMs: Math.round(median(loads)),
      loadCpuMs: Math.round(median(loadCpus)),
      ownClientsOnly: JSON.stringify(bundle.sdkClientClasses.map(([, name]) => name).sort()) === JSON.stringify(ownEagerClientClasses(playbook)),
      unbundledLoadMs: Math.round(median(unbundled)),
      deferredBytes: sizeOf(bundle.deferredFiles),
      deferredLoadMs: Math.round(median(deferred)),
      sdkOnlyLoadMs: Math.round(median(sdkOnlyLoads)),
      sdkClients: bundle.sdkClientClasses.length,
    });
  }
  return rows;
}
