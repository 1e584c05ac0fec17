import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseConfig, type IncidentResponseConfig } from '../../lambda/config/schema';

/*
 * Where the configuration comes from, for the CDK app and the `ir` CLI
 * alike: the JSON file named by context `incidentResponseConfigFile` if set,
 * else the `incidentResponse` context (an object in cdk.json, a JSON string
 * from `cdk -c incidentResponse='{...}'`). No CDK imports: the CLI uses it.
 *
 * A command-line `-c incidentResponse='{...}'` only replaces the top-level
 * keys it names, over the file or cdk.json's own `incidentResponse`: the CDK
 * CLI would otherwise hand the app the command line's object alone, and
 * `-c incidentResponse='{"mode":"enforce"}'` would deploy a stack without
 * the notification emails (deleting their SNS subscriptions) and every other
 * key the team had configured.
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

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseJson(text, path);
}

export function readConfigFile(path: string): IncidentResponseConfig {
  return parseConfig(readJsonFile(path), path);
}

export interface ConfigSources {
  /** Value of context `incidentResponseConfigFile`. */
  readonly file: unknown;
  /** Value of context `incidentResponse`. */
  readonly context: unknown;
  /** Where a relative file path starts: the directory holding cdk.json. */
  readonly baseDir: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** cdk.json's own `incidentResponse` in baseDir (the CDK CLI's context no longer holds it once the command line names the key). */
function cdkJsonConfig(baseDir: string): unknown {
  const path = join(baseDir, 'cdk.json');
  if (!existsSync(path)) return {};
  const cdkJson = readJsonFile(path);
  const context = isPlainObject(cdkJson) ? cdkJson.context : undefined;
  const config = isPlainObject(context) ? context[CONFIG_CONTEXT_KEY] : undefined;
  return typeof config === 'string' ? parseJson(config, `${path} context "${CONFIG_CONTEXT_KEY}"`) : (config ?? {});
}

function configFilePath(file: unknown, baseDir: string): string | undefined {
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file.length === 0) {
    throw new ConfigError(`invalid configuration: context "${CONFIG_FILE_CONTEXT_KEY}" must be a file path`);
  }
  return resolve(baseDir, file);
}

export function resolveConfig({ file, context, baseDir }: ConfigSources): IncidentResponseConfig {
  const filePath = configFilePath(file, baseDir);
  // An object is cdk.json's (or a test's) context: the file, when named, wins over it.
  if (typeof context !== 'string') {
    return filePath ? readConfigFile(filePath) : parseConfig(context, `context "${CONFIG_CONTEXT_KEY}"`);
  }
  // Text is the command line's: its keys over the configuration the project keeps.
  const overrides = parseJson(context, `context "${CONFIG_CONTEXT_KEY}"`);
  const base = filePath ? readJsonFile(filePath) : cdkJsonConfig(baseDir);
  const baseName = filePath ?? join(baseDir, 'cdk.json');
  const source = `context "${CONFIG_CONTEXT_KEY}" (the command line's keys over ${baseName})`;
  if (!isPlainObject(overrides) || !isPlainObject(base)) return parseConfig(isPlainObject(overrides) ? base : overrides, source);
  return parseConfig({ ...base, ...overrides }, source);
}
