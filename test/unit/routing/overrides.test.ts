import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { routeKey } from '../../../lambda/routing/route';

const instance = (type: string, resourceRole?: string) => ({ type, resourceType: 'Instance', resourceRole });

describe('effectiveRoutingTable', () => {
  it('without overrides excludes nothing', () => {
    expect(effectiveRoutingTable().every((rule) => rule.excluded.length === 0)).toBe(true);
  });

  it('removes a type covered by a prefix: it is only reported', () => {
    const table = effectiveRoutingTable({ add: {}, remove: ['Backdoor:EC2/DenialOfService.Tcp'] });
    expect(routeKey(instance('Backdoor:EC2/DenialOfService.Tcp'), table).playbook).toBe('notify');
    expect(routeKey(instance('Backdoor:EC2/Spambot'), table).playbook).toBe('contain-instance');
  });

  it('adds a type to a playbook', () => {
    const table = effectiveRoutingTable({ add: { 'Recon:EC2/PortProbeUnprotectedPort': 'contain-instance' }, remove: [] });
    expect(routeKey(instance('Recon:EC2/PortProbeUnprotectedPort'), table).playbook).toBe('contain-instance');
  });

  it('treats add-to-notify like remove, and remove wins over add', () => {
    const viaNotify = effectiveRoutingTable({ add: { 'Impact:EC2/PortSweep': 'notify' }, remove: [] });
    expect(routeKey(instance('Impact:EC2/PortSweep'), viaNotify).playbook).toBe('notify');
    const both = effectiveRoutingTable({ add: { 'Recon:EC2/PortProbeUnprotectedPort': 'contain-instance' }, remove: ['Recon:EC2/PortProbeUnprotectedPort'] });
    expect(routeKey(instance('Recon:EC2/PortProbeUnprotectedPort'), both).playbook).toBe('notify');
  });

  it('removing a brute-force type stops containing even the attacker', () => {
    const table = effectiveRoutingTable({ add: {}, remove: ['UnauthorizedAccess:EC2/SSHBruteForce'] });
    expect(routeKey(instance('UnauthorizedAccess:EC2/SSHBruteForce', 'ACTOR'), table).playbook).toBe('notify');
  });
});
