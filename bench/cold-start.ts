import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../lib/playbook-function';
import { PLAYBOOK_NAMES, type PlaybookName } from '../lambda/routing/playbook-names';
import { buildBundle } from './bundle';
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
  readonly unbundledLoadMs: number;
}

/** With what a cold start does not load: the chunks imported on first use (the evidence's S3 client, written after containment). */
export interface ColdStartDetail extends ColdStartRow {
  readonly deferredBytes: number;
  /** Importing every deferred chunk after the bundle: what the first evidence write adds, once per container. */
  readonly deferredLoadMs: number;
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

const sizeOf = (files: readonly string[]) => files.reduce((sum, file) => sum + statSync(file).size, 0);
const gzipSizeOf = (files: readonly string[]) => files.reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
const urls = (files: readonly string[]) => JSON.stringify(files.map((file) => `file://${file}`));

export async function benchColdStart(runs: number): Promise<ColdStartDetail[]> {
  const rows: ColdStartDetail[] = [];
  for (const playbook of PLAYBOOK_NAMES) {
    const bundle = await buildBundle(playbook);
    const loadBundle = `const t = performance.now(); await import(${JSON.stringify(`file://${bundle.file}`)}); console.log(performance.now() - t);`;
    const loadClients =
      `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(`${PROJECT_ROOT}/package.json`)});` +
      `const t = performance.now(); for (const name of ${JSON.stringify(bundle.sdkClients)}) require(name); console.log(performance.now() - t);`;
    const loadDeferred =
      `await import(${JSON.stringify(`file://${bundle.file}`)}); const t = performance.now();` +
      `for (const url of ${urls(bundle.deferredFiles)}) await import(url); console.log(performance.now() - t);`;
    const loads: number[] = [];
    const unbundled: number[] = [];
    const deferred: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      loads.push(timedLoad(loadBundle));
      unbundled.push(timedLoad(loadClients));
      deferred.push(timedLoad(loadDeferred));
    }
    rows.push({
      playbook,
      // What a cold start loads: index.mjs and the chunks it imports statically.
      bundleBytes: sizeOf(bundle.eagerFiles),
      gzipBytes: gzipSizeOf(bundle.eagerFiles),
      loadMs: Math.round(median(loads)),
      unbundledLoadMs: Math.round(median(unbundled)),
      deferredBytes: sizeOf(bundle.deferredFiles),
      deferredLoadMs: Math.round(median(deferred)),
    });
  }
  return rows;
}
