import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { buildPlaybookBundle } from './build';
import { APPROVAL_FUNCTION_NAMES, type BundleName } from './options';

/*
 * `tsx lib/lambda-bundle/bundle-cli.ts <playbook> <outdir>`: what `cdk synth`
 * runs for each function. A process of its own because CDK bundles
 * synchronously and esbuild runs plugins only in its asynchronous API.
 */

async function main(): Promise<void> {
  const [playbook, outdir] = process.argv.slice(2);
  const names: readonly string[] = [...PLAYBOOK_NAMES, ...APPROVAL_FUNCTION_NAMES];
  if (!playbook || !outdir || !names.includes(playbook)) {
    throw new Error(`usage: bundle-cli <${names.join('|')}> <outdir>`);
  }
  await buildPlaybookBundle(playbook as BundleName, outdir);
}

main().catch((error: unknown) => {
  process.stderr.write(`bundling failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
