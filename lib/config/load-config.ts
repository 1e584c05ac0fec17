import type { Node } from 'constructs';
import { ConfigError, type IncidentResponseConfig } from '../../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, resolveConfig } from './resolve-config';
import { checkRuntimeConfigFits } from './runtime-config-size';

export { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY } from './resolve-config';

/**
 * The stack's configuration, validated at synth: a bad key stops `cdk synth`
 * (and so every deploy) with a ConfigError naming it.
 *
 * @param node the app's (or stack's) construct node, to read context from
 * @param baseDir where a relative config file path starts: the directory `cdk` runs in, which holds cdk.json
 */
export function loadConfig(node: Node, baseDir: string = process.cwd()): IncidentResponseConfig {
  const config = resolveConfig({ file: node.tryGetContext(CONFIG_FILE_CONTEXT_KEY), context: node.tryGetContext(CONFIG_CONTEXT_KEY), baseDir });
  // Only runs against the local emulator (`ir --endpoint-url`, the tests, the demo) skip what moto cannot answer: a deployed stack answers every call for real.
  if (config.localEmulator) {
    throw new ConfigError('invalid configuration: "localEmulator" is only for runs against the local emulator: a deployed stack must answer every call for real');
  }
  // A policy of many rules (approval) could outgrow the playbooks' environment: refused here, naming the keys, not half-way through a deployment.
  checkRuntimeConfigFits(config);
  return config;
}
