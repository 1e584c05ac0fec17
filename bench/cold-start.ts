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
 */

export interface ColdStartRow {
  readonly playbook: PlaybookName;
  readonly bundleBytes: number;
  readonly gzipBytes: number;
  readonly loadMs: number;
  readonly unbundledLoadMs: number;
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

export async function benchColdStart(runs: number): Promise<ColdStartRow[]> {
  const rows: ColdStartRow[] = [];
  for (const playbook of PLAYBOOK_NAMES) {
    const bundle = await buildBundle(playbook);
    const loadBundle = `const t = performance.now(); await import(${JSON.stringify(`file://${bundle.file}`)}); console.log(performance.now() - t);`;
    const loadClients =
      `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(`${PROJECT_ROOT}/package.json`)});` +
      `const t = performance.now(); for (const name of ${JSON.stringify(bundle.sdkClients)}) require(name); console.log(performance.now() - t);`;
    const loads: number[] = [];
    const unbundled: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      loads.push(timedLoad(loadBundle));
      unbundled.push(timedLoad(loadClients));
    }
    rows.push({
      playbook,
      bundleBytes: statSync(bundle.file).size,
      gzipBytes: gzipSync(readFileSync(bundle.file)).length,
      loadMs: Math.round(median(loads)),
      unbundledLoadMs: Math.round(median(unbundled)),
    });
  }
  return rows;
}
