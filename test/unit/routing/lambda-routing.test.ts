import { compileEventPatterns, GUARDDUTY_DETAIL_TYPE, GUARDDUTY_EVENT_SOURCE } from '../../../lambda/routing/event-patterns';
import { DOCUMENTED_FINDING_TYPES } from '../../../lambda/routing/documented-types';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { eventRulerMatches, prepareEventRuler } from '../../support/event-ruler';
import { loadFixture } from '../../support/fixtures';

/*
 * Lambda findings under Event Ruler, EventBridge's own engine, with the
 * patterns the stack deploys: every documented `*:Lambda/*` type on a Lambda
 * resource reaches contain-function and nothing else; the same types on
 * another resource type, and other types on a Lambda resource, do not.
 */

const LAMBDA_TYPES = DOCUMENTED_FINDING_TYPES.filter((type) => type.includes(':Lambda/'));
const patterns = compileEventPatterns(effectiveRoutingTable());

function eventOf(type: string, resourceType: string): Record<string, unknown> {
  return { source: GUARDDUTY_EVENT_SOURCE, 'detail-type': GUARDDUTY_DETAIL_TYPE, detail: { type, resource: { resourceType }, service: { resourceRole: 'TARGET' } } };
}

const EVENTS: { name: string; event: unknown; playbook: string }[] = [
  ...LAMBDA_TYPES.map((type) => ({ name: `${type} on Lambda`, event: eventOf(type, 'Lambda'), playbook: 'contain-function' })),
  ...LAMBDA_TYPES.map((type) => ({ name: `${type} on Instance`, event: eventOf(type, 'Instance'), playbook: 'notify' })),
  { name: 'a future Trojan:Lambda type', event: eventOf('Trojan:Lambda/FutureVariant', 'Lambda'), playbook: 'contain-function' },
  { name: 'an S3 type on a Lambda resource', event: eventOf('Exfiltration:S3/AnomalousBehavior', 'Lambda'), playbook: 'notify' },
  { name: 'the C&C fixture event', event: loadFixture('contain-function/cnc-activity.event.json'), playbook: 'contain-function' },
];

let matched: string[][];

beforeAll(() => {
  prepareEventRuler();
  matched = eventRulerMatches(
    patterns.map((p) => ({ name: p.id, pattern: p.pattern })),
    EVENTS.map((e) => e.event),
  );
}, 300_000);

describe('Lambda findings under Event Ruler', () => {
  it('has the documented Lambda types to check', () => {
    expect(LAMBDA_TYPES).toEqual(expect.arrayContaining(['Backdoor:Lambda/C&CActivity.B', 'Trojan:Lambda/BlackholeTraffic', 'UnauthorizedAccess:Lambda/TorClient']));
    expect(LAMBDA_TYPES.length).toBeGreaterThanOrEqual(7);
  });

  it.each(EVENTS.map((e, index) => [e.name, e.playbook, index] as const))('%s reaches exactly one rule, of %s', (_name, playbook, index) => {
    const rules = matched[index]!;
    expect(rules).toHaveLength(1);
    expect(patterns.find((p) => p.id === rules[0])!.playbook).toBe(playbook);
  });

  it('the contain-function rule is the function-compromised route', () => {
    expect(patterns.filter((p) => p.playbook === 'contain-function').map((p) => p.id)).toEqual(['function-compromised']);
  });
});
