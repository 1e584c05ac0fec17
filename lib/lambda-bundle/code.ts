import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { serveCachedBundle } from './cache';
import { PROJECT_ROOT, type BundleName } from './options';

/*
 * A playbook's code asset, bundled locally by the esbuild of node_modules
 * (lib/lambda-bundle/options.ts), as NodejsFunction bundles, but with the
 * esbuild plugin NodejsFunction's command line cannot take. The asset's hash
 * is the bundle's, so an unchanged bundle is not uploaded again.
 */

const BUNDLE_CLI = join(PROJECT_ROOT, 'lib', 'lambda-bundle', 'bundle-cli.ts');

export function playbookCode(playbook: BundleName): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws. CDK's bundling options require an image.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      // Part of the asset's cache key: one bundle per playbook. It names what runs locally.
      command: ['tsx', 'lib/lambda-bundle/bundle-cli.ts', playbook],
      local: {
        tryBundle(outputDir: string): boolean {
          // In `make test` and the CDK tests only (IR_BUNDLE_CACHE_DIR): a bundle already built this run, its inputs unchanged, with no process started.
          if (serveCachedBundle(playbook, outputDir)) return true;
          execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_CLI, playbook, outputDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
          return true;
        },
      },
    },
  });
}
