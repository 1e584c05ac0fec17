import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { loadConfig } from '../../../lib/config/load-config';
import { createIncidentResponseApp } from '../../../lib/app';
import type { IncidentResponseStack } from '../../../lib/incident-response-stack';
import type { IncidentResponseMemberStack } from '../../../lib/member/member-stack';
import type { IncidentResponseConfig } from '../../../lambda/config/schema';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..');

/** The context `cdk synth` runs with: cdk.json's, so the tests synthesise what the CLI does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  /** Context on top of cdk.json's. */
  readonly context?: Record<string, unknown>;
  /** Run esbuild (slow). Off: the assets are not built, everything else is synthesised the same. */
  readonly bundle?: boolean;
  readonly nag?: boolean;
}

export interface Synthesized {
  readonly app: App;
  /** The first security stack (the only one unless `regions` is configured). */
  readonly stack: IncidentResponseStack;
  readonly stacks: readonly IncidentResponseStack[];
  readonly config: IncidentResponseConfig;
  readonly assembly: CloudAssembly;
  readonly template: Template;
}

function appContext(options: SynthOptions): Record<string, unknown> {
  // Path and asset metadata on, as the CLI sets them: resources carry their construct path and asset directory.
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    ...options.context,
  };
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  return context;
}

/** The security stacks, as `cdk synth` builds them. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const { app, stacks } = createIncidentResponseApp({ appProps: { context: appContext(options) }, nag: options.nag ?? false, baseDir: PROJECT_ROOT });
  const stack = stacks[0];
  if (!stack) throw new Error('the app built no security stack');
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>);
  return { app, stack, stacks, config: loadConfig(app.node, PROJECT_ROOT), assembly, template };
}

export interface SynthesizedMember {
  readonly app: App;
  readonly stack: IncidentResponseMemberStack;
  readonly config: IncidentResponseConfig;
  readonly assembly: CloudAssembly;
  readonly template: Template;
}

/** The member stack, as `cdk synth -c deployMemberStack=true` builds it. */
export function synthesizeMember(options: SynthOptions = {}): SynthesizedMember {
  const context = { ...appContext(options), deployMemberStack: true };
  const { app, memberStack } = createIncidentResponseApp({ appProps: { context }, nag: options.nag ?? false, baseDir: PROJECT_ROOT });
  if (!memberStack) throw new Error('the app built no member stack');
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackArtifact(memberStack.artifactId).template as Record<string, unknown>);
  return { app, stack: memberStack, config: loadConfig(app.node, PROJECT_ROOT), assembly, template };
}
