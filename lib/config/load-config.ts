import type { Node } from 'constructs';
import type { IncidentResponseConfig } from '../../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, resolveConfig } from './resolve-config';

export { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY } from './resolve-config';

/**
 * The stack's configuration, validated at synth: a bad key stops `cdk synth`
 * (and so every deploy) with a ConfigError naming it.
 *
 * @param node the app's (or stack's) construct node, to read context from
 * @param baseDir where a relative config file path starts: the directory `cdk` runs in, which holds cdk.json
 */
export function loadConfig(node: Node, baseDir: string = process.cwd()): IncidentResponseConfig {
  return resolveConfig({ file: node.tryGetContext(CONFIG_FILE_CONTEXT_KEY), context: node.tryGetContext(CONFIG_CONTEXT_KEY), baseDir });
}
