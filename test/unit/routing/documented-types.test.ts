import { DOCUMENTED_FINDING_TYPES, DOCUMENTED_FINDING_TYPES_BY_PAGE } from '../../../lambda/routing/documented-types';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { routeKey } from '../../../lambda/routing/route';
import { REPORTED_ONLY, REPORTED_RESOURCE_TYPES, ROUTING_TABLE, RUNTIME_RESOURCE_PLAYBOOKS } from '../../../lambda/routing/table';
import { typeMatches, typeMatchesAny } from '../../../lambda/routing/type-match';

/*
 * The list of the finding types AWS documents (lambda/routing/documented-types.ts)
 * against the routing table: a name the table uses that GuardDuty never sends,
 * or a documented type of a family the table acts on that neither the table
 * nor REPORTED_ONLY names, is a decision nobody made.
 */

const familyOf = (type: string) => type.slice(0, type.indexOf('/') + 1);
const actedOn = (type: string) => ROUTING_TABLE.some((rule) => typeMatchesAny(rule.types, type));

describe('documented finding types', () => {
  it('are well-formed GuardDuty type names, each once', () => {
    for (const type of DOCUMENTED_FINDING_TYPES) expect(type).toMatch(/^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]+$/);
    expect(new Set(DOCUMENTED_FINDING_TYPES).size).toBe(DOCUMENTED_FINDING_TYPES.length);
  });

  it('name every exact type of the routing table, and something under each of its prefixes', () => {
    for (const rule of ROUTING_TABLE) {
      for (const entry of [...rule.types, ...rule.actorOnly]) {
        if (entry.endsWith('*')) expect({ entry, documented: DOCUMENTED_FINDING_TYPES.some((t) => typeMatches(entry, t)) }).toEqual({ entry, documented: true });
        else expect({ entry, documented: DOCUMENTED_FINDING_TYPES.includes(entry) }).toEqual({ entry, documented: true });
      }
    }
  });

  it('of a family the table acts on are each acted on or deliberately reported (REPORTED_ONLY)', () => {
    const actedFamilies = new Set(DOCUMENTED_FINDING_TYPES.filter(actedOn).map(familyOf));
    const undecided = DOCUMENTED_FINDING_TYPES.filter((type) => actedFamilies.has(familyOf(type)) && !actedOn(type) && !(type in REPORTED_ONLY));
    expect(undecided).toEqual([]);
  });

  it('in REPORTED_ONLY are documented and not acted on', () => {
    for (const type of Object.keys(REPORTED_ONLY)) expect({ type, documented: DOCUMENTED_FINDING_TYPES.includes(type), acted: actedOn(type) }).toEqual({ type, documented: true, acted: false });
  });

  it('of an acted family listed by name keep their routing: the brute-force exception does not drop Impact:EC2', () => {
    const table = effectiveRoutingTable();
    for (const type of DOCUMENTED_FINDING_TYPES.filter((t) => t.startsWith('Impact:EC2/') && t !== 'Impact:EC2/WinRMBruteForce')) {
      expect({ type, playbook: routeKey({ type, resourceType: 'Instance', resourceRole: 'TARGET' }, table).playbook }).toEqual({ type, playbook: 'contain-instance' });
    }
  });

  /*
   * Runtime Monitoring: a family none of whose types acts (Discovery:Runtime) escapes the family check above, and
   * the same type lands on four resource types. So every documented Runtime type is decided here, on each of them.
   */
  const runtimeTypes: readonly string[] = DOCUMENTED_FINDING_TYPES_BY_PAGE.runtime;

  it.each(Object.entries(RUNTIME_RESOURCE_PLAYBOOKS))('of Runtime Monitoring on a %s each go to %s, or are reported only with the reason', (resourceType, playbook) => {
    const table = effectiveRoutingTable();
    const decisions = runtimeTypes.map((type) => ({ type, playbook: routeKey({ type, resourceType, resourceRole: 'TARGET' }, table).playbook }));
    expect(decisions).toEqual(runtimeTypes.map((type) => ({ type, playbook: type in REPORTED_ONLY ? 'notify' : playbook })));
    for (const type of runtimeTypes.filter((t) => t in REPORTED_ONLY)) {
      expect(routeKey({ type, resourceType, resourceRole: 'TARGET' }, table).why).toBe(`${type} is reported only: ${REPORTED_ONLY[type]}`);
    }
  });

  it('of Runtime Monitoring acted on include the plain compromises: a crypto miner, Tor, metadata DNS rebinding, persistence', () => {
    const table = effectiveRoutingTable();
    for (const type of ['Impact:Runtime/CryptoMinerExecuted', 'Impact:Runtime/BitcoinDomainRequest.Reputation', 'UnauthorizedAccess:Runtime/TorClient', 'UnauthorizedAccess:Runtime/MetadataDNSRebind', 'Persistence:Runtime/SuspiciousCommand']) {
      expect({ type, playbook: routeKey({ type, resourceType: 'ECSCluster', resourceRole: 'TARGET' }, table).playbook }).toEqual({ type, playbook: 'contain-task' });
    }
    expect(Object.keys(REPORTED_ONLY).filter((type) => runtimeTypes.includes(type))).toEqual(['Discovery:Runtime/SuspiciousCommand']);
  });

  it('of Runtime Monitoring on a standalone Container are reported, each with the reason', () => {
    const table = effectiveRoutingTable();
    for (const type of [...runtimeTypes, 'Execution:Container/MaliciousFile']) {
      expect(routeKey({ type, resourceType: 'Container', resourceRole: 'TARGET' }, table)).toEqual({
        playbook: 'notify',
        ruleId: 'default',
        why: `${type} on a Container: ${REPORTED_RESOURCE_TYPES.Container}`,
      });
    }
  });

  it('name a reported resource type only when no rule acts on it', () => {
    for (const resourceType of Object.keys(REPORTED_RESOURCE_TYPES)) expect(ROUTING_TABLE.filter((rule) => rule.resourceType === resourceType)).toEqual([]);
  });
});
