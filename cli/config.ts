import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig, runtimeConfigOf, type RuntimeConfig } from '../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, readConfigFile, resolveConfig } from '../lib/config/resolve-config';

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

export function loadRuntimeConfig(explicitFile: string | undefined, cwd = process.cwd()): RuntimeConfig {
  if (explicitFile) return runtimeConfigOf(readConfigFile(explicitFile));
  const cdkJson = findCdkJson(cwd);
  if (!cdkJson) return runtimeConfigOf(parseConfig({}, 'defaults'));
  const context = cdkContext(cdkJson);
  return runtimeConfigOf(resolveConfig({ file: context[CONFIG_FILE_CONTEXT_KEY], context: context[CONFIG_CONTEXT_KEY], baseDir: dirname(cdkJson) }));
}
