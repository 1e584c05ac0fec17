import { ConfigError, runtimeConfigOf, type IncidentResponseConfig } from '../../lambda/config/schema';

/*
 * The runtime configuration travels to each playbook in its environment
 * (IR_RUNTIME_CONFIG, lib/playbook-function.ts), and Lambda refuses a
 * function whose environment is over 4 KB in all, names and values: the
 * deployment would fail half-way, naming no key. Checked at synth instead,
 * with room kept for the other variables (ARNs, table and bucket names,
 * the description of the responder's roles). test/cdk/regions.test.ts holds
 * the whole environment of every playbook under 4 KB with 18 regions.
 */

/** Bytes of JSON the runtime configuration may take: 4,096 less what the other variables of a playbook take, with a margin. */
export const RUNTIME_CONFIG_MAX_BYTES = 2_800;

export function checkRuntimeConfigFits(config: IncidentResponseConfig): void {
  const runtime = runtimeConfigOf(config);
  const bytes = Buffer.byteLength(JSON.stringify(runtime), 'utf8');
  if (bytes <= RUNTIME_CONFIG_MAX_BYTES) return;
  // The keys that take the most room first: those are the ones to shorten.
  const largest = Object.entries(runtime)
    .map(([key, value]) => ({ key, bytes: Buffer.byteLength(JSON.stringify(value), 'utf8') }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map(({ key, bytes: size }) => `"${key}" (${size} bytes)`);
  throw new ConfigError(
    `invalid configuration: the playbooks' runtime configuration is ${bytes} bytes of JSON, over the ${RUNTIME_CONFIG_MAX_BYTES} that fit in a Lambda environment (4 KB in all) beside the other variables; shorten the largest keys: ${largest.join(', ')}`,
  );
}
