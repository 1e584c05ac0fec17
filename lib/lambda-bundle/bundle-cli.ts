import { buildPlaybookBundle } from './build';
import { BUNDLE_NAMES, type BundleName } from './options';

/*
 * `tsx lib/lambda-bundle/bundle-cli.ts <function> <outdir>`: what `cdk synth`
 * runs for each function. A process of its own because CDK bundles
 * synchronously and esbuild runs plugins only in its asynchronous API.
 */

async function main(): Promise<void> {
  const [playbook, outdir] = process.argv.slice(2);
  if (!playbook || !outdir || !(BUNDLE_NAMES as readonly string[]).includes(playbook)) {
    throw new Error(`usage: bundle-cli <${BUNDLE_NAMES.join('|')}> <outdir>`);
  }
  await buildPlaybookBundle(playbook as BundleName, outdir);
}

main().catch((error: unknown) => {
  process.stderr.write(`bundling failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
