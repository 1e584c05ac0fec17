import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseConfig, type IncidentResponseConfig } from '../../lambda/config/schema';

/*
 * Where the configuration comes from, for the CDK app and the `ir` CLI
 * alike: the JSON file named by context `incidentResponseConfigFile` if set,
 * else the `incidentResponse` context (an object in cdk.json, a JSON string
 * from `cdk -c incidentResponse='{...}'`). No CDK imports: the CLI uses it.
 */

export const CONFIG_CONTEXT_KEY = 'incidentResponse';
export const CONFIG_FILE_CONTEXT_KEY = 'incidentResponseConfigFile';

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid configuration in ${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function readConfigFile(path: string): IncidentResponseConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseConfig(parseJson(text, path), path);
}

export interface ConfigSources {
  /** Value of context `incidentResponseConfigFile`. */
  readonly file: unknown;
  /** Value of context `incidentResponse`. */
  readonly context: unknown;
  /** Where a relative file path starts: the directory holding cdk.json. */
  readonly baseDir: string;
}

export function resolveConfig({ file, context, baseDir }: ConfigSources): IncidentResponseConfig {
  if (file !== undefined) {
    if (typeof file !== 'string' || file.length === 0) {
      throw new ConfigError(`invalid configuration: context "${CONFIG_FILE_CONTEXT_KEY}" must be a file path`);
    }
    return readConfigFile(resolve(baseDir, file));
  }
  const source = `context "${CONFIG_CONTEXT_KEY}"`;
  return parseConfig(typeof context === 'string' ? parseJson(context, source) : context, source);
}
