import fc from 'fast-check';
import { compileEventPatterns } from '../../../lambda/routing/event-patterns';
import { effectiveRoutingTable, type RoutingOverrides } from '../../../lambda/routing/overrides';
import { routeKey, type RoutingKey } from '../../../lambda/routing/route';
import { BRUTE_FORCE_TYPES, ROUTING_TABLE } from '../../../lambda/routing/table';
import { parseFindings } from '../../../lambda/finding/parse';
import { routingKeyOf } from '../../../lambda/routing/route';
import { eventMatchesPattern } from '../../support/event-pattern-matcher';
import { loadFixtures } from '../../support/fixtures';

function eventFor(key: RoutingKey): Record<string, unknown> {
  const detail: Record<string, unknown> = { type: key.type, resource: key.resourceType === undefined ? {} : { resourceType: key.resourceType } };
  if (key.resourceRole !== undefined) detail.service = { resourceRole: key.resourceRole };
  return { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail };
}

function matchingPatterns(key: RoutingKey, overrides?: RoutingOverrides) {
  return compileEventPatterns(effectiveRoutingTable(overrides)).filter((p) => eventMatchesPattern(eventFor(key), p.pattern));
}

const knownTypes = ROUTING_TABLE.flatMap((rule) => rule.types.map((t) => (t.endsWith('*') ? `${t.slice(0, -1)}Variant` : t)));
const typeArb = fc.oneof(
  fc.constantFrom(...knownTypes, ...BRUTE_FORCE_TYPES, 'Recon:EC2/PortProbeUnprotectedPort', 'Policy:IAMUser/RootCredentialUsage', 'Stealth:IAMUser/CloudTrailLoggingDisabled'),
  fc.tuple(fc.constantFrom('Backdoor', 'Impact', 'Recon', 'Novel', 'UnauthorizedAccess'), fc.constantFrom('EC2', 'IAMUser', 'Runtime', 'S3'), fc.string({ minLength: 1, maxLength: 12 })).map(
    ([family, resource, name]) => `${family}:${resource}/${name}`,
  ),
);
const keyArb = fc.record({
  type: typeArb,
  resourceType: fc.constantFrom('Instance', 'AccessKey', 'S3Bucket', 'EKSCluster', 'Lambda', undefined),
  resourceRole: fc.constantFrom('ACTOR', 'TARGET', undefined),
});

describe('compileEventPatterns', () => {
  it('sends every finding to exactly one pattern, of the playbook routeKey picks (property, default table)', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const matches = matchingPatterns(key);
        expect(matches).toHaveLength(1);
        expect(matches[0]!.playbook).toBe(routeKey(key, effectiveRoutingTable()).playbook);
      }),
      { numRuns: 3000 },
    );
  });

  it('stays exact with overrides that add and remove types', () => {
    const overrides: RoutingOverrides = {
      add: { 'Recon:EC2/PortProbeUnprotectedPort': 'contain-instance', 'Impact:EC2/PortSweep': 'notify', 'Stealth:IAMUser/CloudTrailLoggingDisabled': 'revoke-credentials' },
      remove: ['UnauthorizedAccess:EC2/SSHBruteForce', 'Backdoor:EC2/Variant'],
    };
    fc.assert(
      fc.property(keyArb, (key) => {
        const matches = matchingPatterns(key, overrides);
        expect(matches.map((m) => m.playbook)).toEqual([routeKey(key, effectiveRoutingTable(overrides)).playbook]);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with routeFinding on every fixture', () => {
    for (const fixture of loadFixtures()) {
      for (const finding of parseFindings(fixture.json)) {
        expect(matchingPatterns(routingKeyOf(finding)).map((m) => m.playbook)).toEqual([fixture.expectedPlaybook]);
      }
    }
  });

  it('matches GuardDuty events only', () => {
    for (const compiled of compileEventPatterns(effectiveRoutingTable())) {
      expect(compiled.pattern.source).toEqual(['aws.guardduty']);
      expect(compiled.pattern['detail-type']).toEqual(['GuardDuty Finding']);
    }
  });

  it('compiles the contain rule with the attacker-only exception for brute force', () => {
    const contain = compileEventPatterns(effectiveRoutingTable()).find((p) => p.id === 'instance-compromised')!;
    expect(contain.pattern.detail.$or).toEqual([{ type: [{ 'anything-but': [...BRUTE_FORCE_TYPES] }] }, { service: { resourceRole: ['ACTOR'] } }]);
  });
});
