import type { EffectiveRule } from '../../routing/overrides';
import type { PlaybookName } from '../../routing/playbook-names';
import { routeKey } from '../../routing/route';
import { memberOf } from './members';
import type { SequenceSignal } from './sequence';

/*
 * Which playbook answers one resource of a sequence, decided by THE routing
 * table (lambda/routing/table.ts) and nothing else: each GuardDuty finding
 * of the sequence (a FINDING signal) that names the resource gives a finding
 * type; each type is routed as if it were a finding about that resource
 * alone. The strongest acting route wins: the rule the table lists first
 * (the table's own order of precedence), then the signal seen first. A
 * resource no finding names, or none of whose findings the table acts on,
 * is reported only, and the reason says which.
 */

export interface Answer {
  /** A member playbook, or `notify`: reported only. */
  readonly playbook: PlaybookName;
  readonly ruleId: string;
  readonly why: string;
  /** The type of the sequence's finding whose route was taken: the answering playbook plans as for a finding of this type. */
  readonly findingType?: string;
}

const reported = (why: string): Answer => ({ playbook: 'notify', ruleId: 'default', why });

/** The finding types of the sequence's FINDING signals naming this resource (by uid, exactly), in signal order. */
export function findingTypesNaming(uid: string, signals: readonly SequenceSignal[]): string[] {
  const types = signals.filter((s) => s.type === 'FINDING' && typeof s.name === 'string' && (s.resourceUids ?? []).includes(uid)).map((s) => s.name!);
  return [...new Set(types)];
}

export function answerFor(uid: string, resourceType: string, signals: readonly SequenceSignal[], table: readonly EffectiveRule[]): Answer {
  const types = findingTypesNaming(uid, signals);
  if (types.length === 0) return reported('no GuardDuty finding of the sequence names this resource: reported only');
  const acting = types
    .map((type, order) => ({ type, order, route: routeKey({ type, resourceType, resourceRole: undefined }, table) }))
    // A sequence inside a sequence is not answered twice.
    .filter((c) => c.route.playbook !== 'notify' && c.route.playbook !== 'answer-sequence')
    .map((c) => ({ ...c, rank: table.findIndex((rule) => rule.id === c.route.ruleId) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order);
  const strongest = acting[0];
  if (!strongest) return reported(`the routing table acts on none of ${types.join(', ')} for a ${resourceType}: reported only`);
  // A principal's S3 data calls route to revoke-credentials, which answers the principal, never the bucket: in a
  // sequence the principal is a resource of its own (its access key or role), answered there.
  if (strongest.route.playbook === 'revoke-credentials' && resourceType !== 'AccessKey') {
    return reported(
      `${strongest.type} is answered by revoking the principal that made the calls (${strongest.route.ruleId}), never by changing the ${resourceType}: the principal is answered as its own resource of the sequence, reported only`,
    );
  }
  if (!memberOf(strongest.route.playbook)) {
    return reported(`the routing table picks ${strongest.route.playbook} for ${strongest.type}, which does not answer resources of a sequence: reported only`);
  }
  return { playbook: strongest.route.playbook, ruleId: strongest.route.ruleId, why: `${strongest.type}: ${strongest.route.why}`, findingType: strongest.type };
}
