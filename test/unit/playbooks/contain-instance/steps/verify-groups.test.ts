import type { ResponderSecurityGroup } from '../../../../../lambda/playbooks/contain-instance/facts';
import { isolationGroupFlaws, untrackGroupFlaws } from '../../../../../lambda/playbooks/contain-instance/steps/verify-groups';
import { responderGroupFacts } from '../../../../support/aws-mocks/contain-facts';
import { VPC_A, VPC_B } from '../../../../support/aws-mocks/contain-world';

const ALL = [
  { protocol: '-1', fromPort: null, toPort: null, peer: 'ipv4:0.0.0.0/0' },
  { protocol: '-1', fromPort: null, toPort: null, peer: 'ipv6:::/0' },
];
const untrack = (overrides: Partial<ResponderSecurityGroup> = {}): ResponderSecurityGroup => ({
  ...responderGroupFacts('sg-0aaa', VPC_A, 'untrack', 'guardduty-ir-untrack-0a1b2c3d'),
  ...overrides,
});

describe('untrackGroupFlaws: exactly what the responder creates, nothing else', () => {
  it('accepts the group as created: name, description, tags, VPC, allow-all both ways', () => {
    expect(untrackGroupFlaws(untrack(), VPC_A)).toEqual([]);
    // AWS may list the two peers of one rule in one permission or in two, and a peer twice: the same rule set.
    expect(untrackGroupFlaws(untrack({ ingress: [...ALL, ALL[0]!], egress: [ALL[1]!, ALL[0]!] }), VPC_A)).toEqual([]);
    // Ports mean nothing for "all protocols".
    expect(untrackGroupFlaws(untrack({ ingress: ALL.map((r) => ({ ...r, fromPort: -1, toPort: -1 })) }), VPC_A)).toEqual([]);
  });

  it.each<[string, Partial<ResponderSecurityGroup>, string]>([
    ['another name', { groupName: 'web-prod', tags: { ...untrack().tags, Name: 'web-prod' } }, 'its name is not one the responder gives'],
    ['a name of the other purpose', { groupName: 'guardduty-ir-isolation-0a1b2c3d', tags: { ...untrack().tags, Name: 'guardduty-ir-isolation-0a1b2c3d' } }, 'its name is not one the responder gives'],
    ['another description', { description: 'web tier' }, 'its description is not the one the responder gives'],
    ['a Name tag that is not its name', { tags: { ...untrack().tags, Name: 'x' } }, 'its tags are not the ones the responder gives at creation'],
    ['another managed-by value', { tags: { ...untrack().tags, 'ir:managed-by': 'someone' } }, 'its tags are not the ones the responder gives at creation'],
    ['no IPv6 ingress', { ingress: [ALL[0]!] }, 'its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (-1 ipv4:0.0.0.0/0)'],
    ['no ingress', { ingress: [] }, 'its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (none)'],
    ['one more egress rule', { egress: [...ALL, { protocol: 'tcp', fromPort: 443, toPort: 443, peer: 'ipv4:10.0.0.0/8' }] }, 'its egress rules are not exactly "all traffic to 0.0.0.0/0 and ::/0" (-1 ipv4:0.0.0.0/0, -1 ipv6:::/0, tcp 443-443 ipv4:10.0.0.0/8)'],
    ['all TCP instead of all protocols', { ingress: ALL.map((r) => ({ ...r, protocol: 'tcp', fromPort: 0, toPort: 65535 })) }, 'its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (tcp 0-65535 ipv4:0.0.0.0/0, tcp 0-65535 ipv6:::/0)'],
  ])('rejects %s', (_what, overrides, flaw) => {
    expect(untrackGroupFlaws(untrack(overrides), VPC_A)).toEqual([flaw]);
  });

  it('rejects a group of another VPC', () => {
    expect(untrackGroupFlaws(untrack(), VPC_B)).toEqual([`it is in ${VPC_A}, not ${VPC_B}`]);
  });

  it('says at most four rules and how many more', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ protocol: 'tcp', fromPort: i, toPort: i, peer: 'ipv4:0.0.0.0/0' }));
    expect(untrackGroupFlaws(untrack({ ingress: many }), VPC_A)).toEqual([
      'its ingress rules are not exactly "all traffic from 0.0.0.0/0 and ::/0" (tcp 0-0 ipv4:0.0.0.0/0, tcp 1-1 ipv4:0.0.0.0/0, tcp 2-2 ipv4:0.0.0.0/0, tcp 3-3 ipv4:0.0.0.0/0 and 2 more)',
    ]);
  });
});

describe('isolationGroupFlaws: exactly what the responder creates, with no rule at all', () => {
  const isolation = responderGroupFacts('sg-0bbb', VPC_A, 'isolation', 'guardduty-ir-isolation-0a1b2c3d');

  it('accepts the group as created (and as an earlier version named it): name, description, tags, VPC, no rule', () => {
    expect(isolationGroupFlaws(isolation, VPC_A)).toEqual([]);
    expect(isolationGroupFlaws(responderGroupFacts('sg-0bbb', VPC_A, 'isolation'), VPC_A)).toEqual([]);
  });

  // An empty group anyone made and tagged is not adopted: its maker could add a rule once an ENI is on it.
  it.each<[string, Partial<ResponderSecurityGroup>, string]>([
    ['another name', { groupName: 'anything', tags: { ...isolation.tags, Name: 'anything' } }, 'its name is not one the responder gives'],
    ['a name of the other purpose', { groupName: 'guardduty-ir-untrack-0a1b2c3d', tags: { ...isolation.tags, Name: 'guardduty-ir-untrack-0a1b2c3d' } }, 'its name is not one the responder gives'],
    ['another description', { description: 'empty' }, 'its description is not the one the responder gives'],
    ['the untrack description', { description: 'GuardDuty IR: allows all traffic so that the flows of an instance become untracked before isolation' }, 'its description is not the one the responder gives'],
    ['a Name tag that is not its name', { tags: { ...isolation.tags, Name: 'x' } }, 'its tags are not the ones the responder gives at creation'],
    ['no Name tag', { tags: { 'ir:managed-by': 'guardduty-ir', 'ir:purpose': 'isolation' } }, 'its tags are not the ones the responder gives at creation'],
    ['another managed-by value', { tags: { ...isolation.tags, 'ir:managed-by': 'someone' } }, 'its tags are not the ones the responder gives at creation'],
    ['another purpose tag', { tags: { ...isolation.tags, 'ir:purpose': 'untrack' } }, 'its tags are not the ones the responder gives at creation'],
    ['an ingress rule', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, peer: 'group:sg-0jump' }] }, 'it has ingress rules (tcp 22-22 group:sg-0jump)'],
    ['the default egress rule', { egress: [ALL[0]!] }, 'it has egress rules (-1 ipv4:0.0.0.0/0)'],
  ])('rejects %s', (_what, overrides, flaw) => {
    expect(isolationGroupFlaws({ ...isolation, ...overrides }, VPC_A)).toEqual([flaw]);
  });

  it('rejects a group of another VPC, and names every flaw at once', () => {
    expect(isolationGroupFlaws(isolation, VPC_B)).toEqual([`it is in ${VPC_A}, not ${VPC_B}`]);
    expect(isolationGroupFlaws({ ...isolation, groupName: 'c2', description: 'x', egress: [ALL[0]!] }, VPC_B)).toEqual([
      `it is in ${VPC_A}, not ${VPC_B}`,
      'its name is not one the responder gives',
      'its description is not the one the responder gives',
      'its tags are not the ones the responder gives at creation',
      'it has egress rules (-1 ipv4:0.0.0.0/0)',
    ]);
  });
});
