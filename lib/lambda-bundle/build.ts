import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { buildBundleCached } from './cache';
import { BUNDLE_FILE, PROJECT_ROOT, type BundleName } from './options';

export interface PlaybookBundle {
  readonly playbook: BundleName;
  /** index.mjs: what Lambda loads. */
  readonly file: string;
  /** index.mjs and the chunks it imports statically: what a cold start loads. */
  readonly eagerFiles: readonly string[];
  /** The chunks imported on first use (the evidence's S3 client, ...). */
  readonly deferredFiles: readonly string[];
  /**
   * The SDK client classes a cold start loads, as `[package, class]`, e.g.
   * `['@aws-sdk/client-ec2', 'EC2Client']` (not packages of which only a
   * command or a type is in, nor the deferred ones).
   */
  readonly sdkClientClasses: readonly (readonly [string, string])[];
}

/** The output files a cold start loads: the entry and the chunks it imports statically, transitively (metafile paths). */
export function eagerOutputsOf(metafile: Metafile): Set<string> {
  // index.mjs itself: esbuild also names an entry point on the chunk of each import(), and those are not loaded at cold start.
  const withEntry = Object.keys(metafile.outputs).filter((path) => metafile.outputs[path]!.entryPoint !== undefined);
  const entry = withEntry.find((path) => path.endsWith(`/${BUNDLE_FILE}`) || path === BUNDLE_FILE) ?? withEntry[0];
  const eager = new Set<string>();
  const visit = (path: string) => {
    if (eager.has(path) || !metafile.outputs[path]) return;
    eager.add(path);
    for (const imported of metafile.outputs[path].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  if (entry) visit(entry);
  return eager;
}

function sdkClientClassesOf(metafile: Metafile, eager: ReadonlySet<string>): [string, string][] {
  const classes = new Map<string, string>();
  for (const path of eager) {
    // Inputs with code in the output: esbuild also lists modules it read and dropped whole.
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[path]!.inputs)) {
      const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\/dist-es\/([A-Za-z0-9]+Client)\.js$/.exec(input);
      if (match && bytesInOutput > 0) classes.set(match[1]!, match[2]!);
    }
  }
  return [...classes].sort(([a], [b]) => a.localeCompare(b));
}

/** Builds one playbook's Lambda bundle into `outdir`: index.mjs, its chunks, their source maps. */
export async function buildPlaybookBundle(playbook: BundleName, outdir: string): Promise<PlaybookBundle> {
  mkdirSync(outdir, { recursive: true });
  const metafile = await buildBundleCached(playbook, outdir);
  const eager = eagerOutputsOf(metafile);
  const code = Object.keys(metafile.outputs).filter((path) => path.endsWith('.mjs'));
  const absolute = (path: string) => resolve(PROJECT_ROOT, path);
  return {
    playbook,
    file: join(outdir, BUNDLE_FILE),
    eagerFiles: code.filter((path) => eager.has(path)).map(absolute),
    deferredFiles: code.filter((path) => !eager.has(path)).map(absolute),
    sdkClientClasses: sdkClientClassesOf(metafile, eager),
  };
}
