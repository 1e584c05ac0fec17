import type { Finding } from '../../finding/schema';
import type { EffectiveRule } from '../../routing/overrides';
import { answerFor, type Answer } from './choose';
import { viewOf, typeNameOf, type ResourceView } from './resource-views';
import { MAX_ANSWERED_RESOURCES, resourceRef, sequenceOf } from './sequence';

/*
 * Every resource of the sequence with what answers it: a playbook, or
 * reported only (with the reason), or refused (with the reason). Pure: the
 * same finding and table give the same answers at discovery and at planning.
 */

export type Resolution =
  | { readonly kind: 'answered'; readonly view: ResourceView; readonly answer: Answer & { readonly findingType: string } }
  | { readonly kind: 'reported'; readonly view: ResourceView; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

export interface ResolvedResource {
  readonly ref: string;
  /** The type as the sequence names it (EC2_INSTANCE, AWS::IAM::AccessKey, ...). */
  readonly typeName: string | null;
  /** The uid and name as the sequence gives them: untrusted, for the report only. */
  readonly uid: string | null;
  readonly name: string | null;
  readonly resolution: Resolution;
}

export function resolveResources(finding: Finding, table: readonly EffectiveRule[]): ResolvedResource[] {
  const sequence = sequenceOf(finding);
  // One resource named twice (by id and by ARN, or simply repeated) is answered once: its first mention.
  const seen = new Map<string, string>();
  return sequence.resources.map((resource, index) => {
    const base = { ref: resourceRef(index), typeName: typeNameOf(resource) ?? null, uid: resource.uid ?? null, name: resource.name ?? null };
    if (index >= MAX_ANSWERED_RESOURCES) {
      return { ...base, resolution: { kind: 'refused', reason: `the sequence names more than ${MAX_ANSWERED_RESOURCES} resources: those past the first ${MAX_ANSWERED_RESOURCES} are reported, not acted on` } };
    }
    const derived = viewOf(resource, finding, sequence.actors);
    if (!derived.ok) return { ...base, resolution: { kind: 'refused', reason: derived.reason } };
    const identity = JSON.stringify(derived.view.resource);
    const first = seen.get(identity);
    if (first) return { ...base, resolution: { kind: 'refused', reason: `the sequence names this resource already as ${first}: it is answered once, there` } };
    seen.set(identity, base.ref);
    const answer = answerFor(resource.uid!, derived.view.resourceType, sequence.signals, table);
    if (answer.playbook === 'notify' || answer.findingType === undefined) return { ...base, resolution: { kind: 'reported', view: derived.view, reason: answer.why } };
    return { ...base, resolution: { kind: 'answered', view: derived.view, answer: { ...answer, findingType: answer.findingType } } };
  });
}

/**
 * The finding the answering playbook reads for one resource: the sequence
 * finding's id, account, region and severity (one incident), the type of
 * the sequence's finding that chose the playbook, and the resource in the
 * shape that playbook parses. The sequence itself is left out: the
 * playbook answers its one resource.
 */
export function findingForResource(finding: Finding, view: ResourceView, findingType: string): Finding {
  const service = finding.service ? { ...finding.service, detection: undefined } : finding.service;
  return { ...finding, type: findingType, resource: view.resource, service };
}
