import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig, runtimeConfigOf, type IncidentResponseConfig, type RuntimeConfig } from '../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, readConfigFile, resolveConfig } from '../lib/config/resolve-config';
import { DEFAULT_STACK_NAME, STACK_NAME_CONTEXT_KEY } from '../lib/naming';

/*
 * `ir` reads the configuration the stack is deployed with (cdk.json found
 * from the working directory up), or an explicit --config file.
 */

function findCdkJson(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = resolve(dir, 'cdk.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function cdkContext(cdkJson: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> };
    return parsed.context ?? {};
  } catch (error) {
    throw new ConfigError(`cannot read ${cdkJson}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What `ir` knows of the deployment: its configuration, and the stack name its role names start with. */
export interface Deployment {
  readonly config: IncidentResponseConfig;
  readonly stackName: string;
  /** Where the configuration came from, as `ir` says it: the --config file, cdk.json, or the defaults. */
  readonly source: string;
}

export function loadDeployment(explicitFile: string | undefined, cwd = process.cwd()): Deployment {
  const cdkJson = findCdkJson(cwd);
  const context = cdkJson ? cdkContext(cdkJson) : {};
  const stackName = context[STACK_NAME_CONTEXT_KEY] ?? DEFAULT_STACK_NAME;
  if (typeof stackName !== 'string') throw new ConfigError(`${cdkJson}: context "${STACK_NAME_CONTEXT_KEY}" must be a string`);
  if (explicitFile) return { config: readConfigFile(explicitFile), stackName, source: `--config ${explicitFile}` };
  if (!cdkJson) return { config: parseConfig({}, 'defaults'), stackName, source: 'the defaults (no cdk.json found)' };
  return {
    config: resolveConfig({ file: context[CONFIG_FILE_CONTEXT_KEY], context: context[CONFIG_CONTEXT_KEY], baseDir: dirname(cdkJson) }),
    stackName,
    source: `cdk.json (${cdkJson})`,
  };
}

export function loadRuntimeConfig(explicitFile: string | undefined, cwd = process.cwd()): RuntimeConfig {
  return runtimeConfigOf(loadDeployment(explicitFile, cwd).config);
}
