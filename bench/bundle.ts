import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ESM_REQUIRE_BANNER, PLAYBOOK_BUNDLING, PLAYBOOK_RUNTIME } from '../lib/bundling';
import { PROJECT_ROOT } from '../lib/playbook-function';
import type { PlaybookName } from '../lambda/routing/playbook-names';

/*
 * Each playbook's Lambda bundle, built as `cdk synth` builds it: the esbuild
 * of node_modules with the options of lib/bundling.ts (the flags
 * NodejsFunction turns them into: ESM, minified, platform node, the
 * runtime's Node version as target, nothing external).
 */

export const BUNDLE_DIR = join(PROJECT_ROOT, 'bench', '.out');

export interface Bundle {
  readonly playbook: PlaybookName;
  readonly file: string;
  /** The SDK client packages inside the bundle, e.g. `@aws-sdk/client-ec2`. */
  readonly sdkClients: readonly string[];
}

/** `nodejs22.x` → `node22`, as NodejsFunction derives its esbuild target. */
function esbuildTarget(): string {
  const match = /^nodejs(\d+)/.exec(PLAYBOOK_RUNTIME.name);
  if (!match) throw new Error(`cannot derive an esbuild target from runtime ${PLAYBOOK_RUNTIME.name}`);
  return `node${match[1]}`;
}

function sdkClientsOf(metafile: Metafile): string[] {
  const clients = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (match) clients.add(match[1]!);
  }
  return [...clients].sort();
}

export async function buildBundle(playbook: PlaybookName): Promise<Bundle> {
  const outdir = join(BUNDLE_DIR, playbook);
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, 'index.mjs');
  if (PLAYBOOK_BUNDLING.format !== 'esm' || PLAYBOOK_BUNDLING.banner !== ESM_REQUIRE_BANNER) {
    throw new Error('lib/bundling.ts changed its format or banner: update bench/bundle.ts to build as the stack does');
  }
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'lambda', 'handlers', `${playbook}.ts`)],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: esbuildTarget(),
    format: 'esm',
    mainFields: [...(PLAYBOOK_BUNDLING.mainFields ?? [])],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: PLAYBOOK_BUNDLING.minify === true,
    sourcemap: PLAYBOOK_BUNDLING.sourceMap === true,
    sourcesContent: PLAYBOOK_BUNDLING.sourcesContent === true,
    external: [...(PLAYBOOK_BUNDLING.externalModules ?? [])],
    metafile: true,
    logLevel: 'warning',
  });
  return { playbook, file, sdkClients: sdkClientsOf(result.metafile) };
}
