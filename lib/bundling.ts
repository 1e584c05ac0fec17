import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/*
 * How every playbook is bundled: by the esbuild in node_modules, never in
 * Docker, so `cdk synth` works offline on a fresh clone.
 */

export const PLAYBOOK_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const PLAYBOOK_ARCHITECTURE = lambda.Architecture.ARM_64;

/**
 * ESM output has no `require`, yet CommonJS code bundled inside (parts of the
 * AWS SDK and its dependencies) calls it for Node built-ins. Aliased import so
 * it cannot clash with a name in the bundle.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __irCreateRequire } from 'node:module'; const require = __irCreateRequire(import.meta.url);";

export const PLAYBOOK_BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  // ESM builds of the SDK tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  // Stack traces point at our TypeScript (with NODE_OPTIONS=--enable-source-maps); sources stay out to keep the bundle small.
  sourceMap: true,
  sourcesContent: false,
  // Bundle the SDK instead of using the runtime's copy: the deployed code runs the versions the tests ran.
  externalModules: [],
  logLevel: LogLevel.WARNING,
};
