import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseConfig, runtimeConfigOf, type RuntimeConfig } from '../lambda/config/schema';
import { UsageError } from './exit-codes';

/*
 * `ir` reads the same configuration the stack is deployed with: the
 * `incidentResponse` context of cdk.json (and the file named by
 * `incidentResponseConfigFile`), or an explicit --config file.
 */

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read configuration ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

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

export function loadRuntimeConfig(explicitFile: string | undefined, cwd = process.cwd()): RuntimeConfig {
  if (explicitFile) return runtimeConfigOf(parseConfig(readJson(explicitFile), explicitFile));
  const cdkJson = findCdkJson(cwd);
  if (!cdkJson) return runtimeConfigOf(parseConfig({}, 'defaults'));
  const context = ((readJson(cdkJson) as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
  const file = context.incidentResponseConfigFile;
  if (typeof file === 'string') {
    const path = resolve(dirname(cdkJson), file);
    return runtimeConfigOf(parseConfig(readJson(path), path));
  }
  return runtimeConfigOf(parseConfig(context.incidentResponse ?? {}, `${cdkJson} (context.incidentResponse)`));
}
