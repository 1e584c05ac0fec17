import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { buildPlaybookBundle } from './build';

/*
 * `tsx lib/lambda-bundle/bundle-cli.ts <playbook> <outdir>`: what `cdk synth`
 * runs for each function. A process of its own because CDK bundles
 * synchronously and esbuild runs plugins only in its asynchronous API.
 */

async function main(): Promise<void> {
  const [playbook, outdir] = process.argv.slice(2);
  if (!playbook || !outdir || !(PLAYBOOK_NAMES as readonly string[]).includes(playbook)) {
    throw new Error(`usage: bundle-cli <${PLAYBOOK_NAMES.join('|')}> <outdir>`);
  }
  await buildPlaybookBundle(playbook as PlaybookName, outdir);
}

main().catch((error: unknown) => {
  process.stderr.write(`bundling failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
