import { DOCUMENTED_FINDING_TYPES } from '../../../lambda/routing/documented-types';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { routeKey } from '../../../lambda/routing/route';
import { REPORTED_ONLY, ROUTING_TABLE } from '../../../lambda/routing/table';
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
});
