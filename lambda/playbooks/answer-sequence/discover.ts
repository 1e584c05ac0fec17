import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { effectiveRoutingTable } from '../../routing/overrides';
import type { DiscoveryContext } from '../types';
import type { ResourceFacts, SequenceFacts } from './facts';
import { memberOf } from './members';
import { findingForResource, resolveResources } from './resolve';

/*
 * Every answered resource's playbook reads it, all at once, through the same
 * clients (the finding's account) and the same read log (every read is in
 * the report). Discovery has no configuration at hand: it answers with the
 * shipped routing table; planning answers again with the configured one,
 * and a resource whose playbook the team's overrides changed is reported,
 * not acted on unread (plan.ts).
 *
 * One resource's reads failing (thrown, not merely a failed call) does not
 * stop the others: that resource is refused with the error, the rest answered.
 */

export async function discoverSequence(finding: Finding, clients: AwsClients, reads: ReadLog, context?: DiscoveryContext): Promise<SequenceFacts> {
  const resources = await Promise.all(
    resolveResources(finding, effectiveRoutingTable()).map(async (resolved): Promise<ResourceFacts | undefined> => {
      const { resolution, ref } = resolved;
      if (resolution.kind !== 'answered') return undefined;
      const playbook = memberOf(resolution.answer.playbook);
      if (!playbook) return undefined;
      const view = findingForResource(finding, resolution.view, resolution.answer.findingType);
      try {
        return { ref, playbook: playbook.name, read: 'ok', facts: await playbook.discover(view, clients, reads, context) };
      } catch (error) {
        return { ref, playbook: playbook.name, read: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  return { resources: resources.filter((r): r is ResourceFacts => r !== undefined) };
}

/** `ir plan --offline`: each answering playbook's facts from its view of the finding alone. */
export function offlineSequenceFacts(finding: Finding): SequenceFacts {
  const resources: ResourceFacts[] = [];
  for (const resolved of resolveResources(finding, effectiveRoutingTable())) {
    const { resolution, ref } = resolved;
    if (resolution.kind !== 'answered') continue;
    const playbook = memberOf(resolution.answer.playbook);
    if (!playbook) continue;
    resources.push({ ref, playbook: playbook.name, read: 'ok', facts: playbook.offlineFacts(findingForResource(finding, resolution.view, resolution.answer.findingType)) });
  }
  return { resources };
}
