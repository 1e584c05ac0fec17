import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { BUNDLE_FILE, playbookBuildOptions } from './options';

export interface PlaybookBundle {
  readonly playbook: PlaybookName;
  readonly file: string;
  /** The SDK client packages whose client class is inside the bundle, e.g. `@aws-sdk/client-ec2` (not those of which only a command or a type is). */
  readonly sdkClients: readonly string[];
}

function sdkClientsOf(metafile: Metafile): string[] {
  const clients = new Set<string>();
  // The output's inputs with code in it: esbuild also lists modules it read and dropped whole.
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const kept = Object.entries(output?.inputs ?? {}).filter(([, input]) => input.bytesInOutput > 0);
  for (const [input] of kept) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\/dist-es\/[A-Za-z0-9]+Client\.js$/.exec(input);
    if (match) clients.add(match[1]!);
  }
  return [...clients].sort();
}

/** Builds one playbook's Lambda bundle into `outdir` (index.mjs and its source map). */
export async function buildPlaybookBundle(playbook: PlaybookName, outdir: string): Promise<PlaybookBundle> {
  mkdirSync(outdir, { recursive: true });
  const result = await build(playbookBuildOptions(playbook, outdir));
  return { playbook, file: join(outdir, BUNDLE_FILE), sdkClients: sdkClientsOf(result.metafile ?? { inputs: {}, outputs: {} }) };
}
