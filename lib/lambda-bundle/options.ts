import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { inlineSdkSchemaKeys } from './sdk-schema-keys';

/*
 * How every playbook is bundled: by the esbuild in node_modules, never in
 * Docker, so `cdk synth` works offline on a fresh clone. `cdk synth`, the
 * benchmark and the tests build with exactly these options.
 */

export const PROJECT_ROOT = join(__dirname, '..', '..');

export const PLAYBOOK_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const PLAYBOOK_ARCHITECTURE = lambda.Architecture.ARM_64;

/** The bundle's file name inside the asset; the handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * ESM output has no `require`, yet CommonJS code bundled inside (parts of the
 * AWS SDK and its dependencies) calls it for Node built-ins. Aliased import so
 * it cannot clash with a name in the bundle.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __irCreateRequire } from 'node:module'; const require = __irCreateRequire(import.meta.url);";

/** `nodejs22.x` → `node22`: the bundle is compiled for the Node version the runtime runs. */
export function esbuildTarget(runtime: lambda.Runtime = PLAYBOOK_RUNTIME): string {
  const match = /^nodejs(\d+)/.exec(runtime.name);
  if (!match) throw new Error(`cannot derive an esbuild target from runtime ${runtime.name}`);
  return `node${match[1]}`;
}

/** What the bundles use as the SDK's default credential provider. */
export const LAMBDA_CREDENTIALS = join(PROJECT_ROOT, 'lambda', 'aws', 'lambda-credentials.ts');

/** The owed Security Hub note writer (lambda/handlers/security-hub-note.ts, lib/owed-note-delivery.ts): a function of its own, no playbook. */
export const OWED_NOTE_BUNDLE = 'security-hub-note';

/** The approval channels' functions (lib/approval/): bundled like the playbooks, from lambda/handlers/<name>.ts. */
export const APPROVAL_FUNCTION_NAMES = ['approval-link', 'approval-decide', 'approval-chat', 'security-hub-action'] as const;
export type ApprovalFunctionName = (typeof APPROVAL_FUNCTION_NAMES)[number];

/** Every function's bundle: one per playbook, the owed-note writer's, and the approval channels'. */
export type BundleName = PlaybookName | typeof OWED_NOTE_BUNDLE | ApprovalFunctionName;
export const BUNDLE_NAMES: readonly BundleName[] = [...PLAYBOOK_NAMES, OWED_NOTE_BUNDLE, ...APPROVAL_FUNCTION_NAMES];

/** Each function has its own entry point (lambda/handlers/<name>.ts), so its bundle holds only its own code and SDK clients. */
export function playbookEntry(playbook: BundleName): string {
  return join(PROJECT_ROOT, 'lambda', 'handlers', `${playbook}.ts`);
}

/** Code imported on first use (the S3 client, for the evidence) goes to chunks here, beside index.mjs in the asset. */
export const CHUNK_DIR = 'chunks';

export function playbookBuildOptions(playbook: BundleName, outdir: string): BuildOptions {
  return {
    entryPoints: { index: playbookEntry(playbook) },
    outdir,
    outExtension: { '.js': '.mjs' },
    // A dynamic import() becomes a chunk of its own, loaded when first called, not at cold start.
    splitting: true,
    chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: esbuildTarget(),
    format: 'esm',
    // ESM builds of the SDK tree-shake better than their CommonJS ones.
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // Stack traces point at our TypeScript (with NODE_OPTIONS=--enable-source-maps); sources stay out to keep the bundle small.
    sourcemap: true,
    sourcesContent: false,
    // Nothing external: the deployed code runs the SDK versions the tests ran, not the runtime's copy.
    external: [],
    // A Lambda's credentials are always in its environment: no SSO, profile or metadata providers (lambda/aws/lambda-credentials.ts).
    alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
    plugins: [inlineSdkSchemaKeys()],
    metafile: true,
    logLevel: 'warning',
  };
}
