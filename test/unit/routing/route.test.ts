import { parseFindings } from '../../../lambda/finding/parse';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { routeFinding, routeKey } from '../../../lambda/routing/route';
import { loadFixture, loadFixtures } from '../../support/fixtures';

const table = effectiveRoutingTable();

describe('routeFinding', () => {
  it.each(loadFixtures().map((f) => [f.name, f] as const))('routes fixture %s to the playbook its folder names', (_name, fixture) => {
    for (const finding of parseFindings(fixture.json)) expect(routeFinding(finding, table).playbook).toBe(fixture.expectedPlaybook);
  });

  it.each([
    ['contain-instance/impact-bitcoin-domain.raw.json', 'contain-instance'],
    ['contain-instance/winrm-brute-force-actor.raw.json', 'contain-instance'],
    ['revoke-credentials/recon-malicious-ip-caller.event.json', 'revoke-credentials'],
    ['revoke-credentials/pentest-s3-parrot.raw.json', 'revoke-credentials'],
    ['revoke-credentials/impact-s3-anomalous-delete.event.json', 'revoke-credentials'],
    ['notify/stealth-s3-logging-disabled.event.json', 'notify'],
    ['contain-function/trojan-lambda-blackhole.raw.json', 'contain-function'],
    ['notify/port-probe-emr.raw.json', 'notify'],
    ['contain-eks/eks-runtime-bitcoin-dns.event.json', 'contain-eks'],
    ['notify/standalone-container-crypto-miner.raw.json', 'notify'],
  ] as const)('routes %s (a shape seen in real findings) to %s', (file, playbook) => {
    const [finding] = parseFindings(loadFixture(file));
    expect(routeFinding(finding!, table).playbook).toBe(playbook);
  });
});

describe('routeKey', () => {
  const key = (type: string, resourceType: string | undefined, resourceRole?: string) => ({ type, resourceType, resourceRole });

  it('contains an instance whose finding says it is compromised, whatever resourceRole says', () => {
    expect(routeKey(key('Backdoor:EC2/C&CActivity.B!DNS', 'Instance', 'TARGET'), table)).toMatchObject({ playbook: 'contain-instance', ruleId: 'instance-compromised' });
  });

  it.each(['UnauthorizedAccess:EC2/SSHBruteForce', 'UnauthorizedAccess:EC2/RDPBruteForce', 'Impact:EC2/WinRMBruteForce'])(
    'contains the attacker but only notifies for the victim of %s',
    (type) => {
      expect(routeKey(key(type, 'Instance', 'ACTOR'), table).playbook).toBe('contain-instance');
      expect(routeKey(key(type, 'Instance', 'TARGET'), table).playbook).toBe('notify');
      expect(routeKey(key(type, 'Instance', undefined), table).playbook).toBe('notify');
    },
  );

  it('matches a prefix family for types GuardDuty adds later', () => {
    expect(routeKey(key('CryptoCurrency:EC2/SomeFutureMiner', 'Instance'), table).playbook).toBe('contain-instance');
    expect(routeKey(key('Exfiltration:IAMUser/SomethingNew', 'AccessKey'), table).playbook).toBe('revoke-credentials');
    expect(routeKey(key('Execution:Runtime/SomethingNew', 'ECSCluster'), table).playbook).toBe('contain-task');
    expect(routeKey(key('Execution:Runtime/SomethingNew', 'EKSCluster'), table).playbook).toBe('contain-eks');
    expect(routeKey(key('Execution:Kubernetes/SomethingNew', 'EKSCluster'), table).playbook).toBe('contain-eks');
    expect(routeKey(key('Impact:Runtime/SomethingNew', 'ECSCluster'), table).playbook).toBe('contain-task');
    expect(routeKey(key('Persistence:Runtime/SomethingNew', 'Instance'), table).playbook).toBe('contain-instance');
    // UnauthorizedAccess:Runtime is acted on by name (as UnauthorizedAccess:EC2): a new type there is reported until decided.
    expect(routeKey(key('UnauthorizedAccess:Runtime/SomethingNew', 'EKSCluster'), table).playbook).toBe('notify');
  });

  it('never acts on an unknown family, a known type on another resource, or a missing resource type', () => {
    expect(routeKey(key('Brandnew:EC2/Thing', 'Instance'), table)).toMatchObject({ playbook: 'notify', ruleId: 'default' });
    expect(routeKey(key('CryptoCurrency:Runtime/BitcoinTool.B!DNS', 'Container'), table).playbook).toBe('notify');
    expect(routeKey(key('Discovery:Runtime/SuspiciousCommand', 'EKSCluster'), table).playbook).toBe('notify');
    expect(routeKey(key('Policy:Kubernetes/ExposedDashboard', 'EKSCluster'), table).playbook).toBe('notify');
    expect(routeKey(key('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Instance'), table).playbook).toBe('notify');
    expect(routeKey(key('Backdoor:EC2/Spambot', undefined), table).why).toContain('no resource type');
  });

  it('reports root credential use and S3 policy findings on an access key instead of revoking', () => {
    expect(routeKey(key('Policy:IAMUser/RootCredentialUsage', 'AccessKey'), table).playbook).toBe('notify');
    expect(routeKey(key('Policy:S3/BucketBlockPublicAccessDisabled', 'AccessKey'), table).playbook).toBe('notify');
  });

  it('does not treat a prefix as matching a longer family name', () => {
    expect(routeKey(key('Recon:IAMUser/MaliciousIPCallerX', 'AccessKey'), table).playbook).toBe('revoke-credentials');
    expect(routeKey(key('Recon:IAMUser/UserPermissions', 'AccessKey'), table).playbook).toBe('notify');
    expect(routeKey(key('Recon:EC2/PortscanX', 'Instance'), table).playbook).toBe('notify');
  });
});
