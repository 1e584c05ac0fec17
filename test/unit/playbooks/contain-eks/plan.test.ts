import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { offlineEksFacts } from '../../../../lambda/playbooks/contain-eks/discover';
import type { ContainEksFacts } from '../../../../lambda/playbooks/contain-eks/facts';
import { planContainEks } from '../../../../lambda/playbooks/contain-eks/plan';
import { loadFixture } from '../../../support/fixtures';

function fixture(name: string): Finding {
  return parseFindings(loadFixture(`contain-eks/${name}`))[0]!;
}

const INCIDENT = 'ir-0123456789abcdef';
const NOW = new Date('2026-11-21T10:50:00.000Z');

function plan(finding: Finding, options: { facts?: Partial<ContainEksFacts>; protectedRoleNames?: string[]; config?: RuntimeConfig } = {}) {
  const facts = { ...offlineEksFacts(finding), ...options.facts };
  return planContainEks({ finding, facts, config: options.config ?? DEFAULT_RUNTIME_CONFIG, incidentId: INCIDENT, now: NOW, responder: { protectedRoleNames: options.protectedRoleNames ?? [] } });
}

describe('the contain-eks plan', () => {
  it('contains the node the runtime finding names with contain-instance’s steps, every change of class contain-node', () => {
    const { steps, warnings } = plan(fixture('eks-runtime-node.event.json'));
    const changes = steps.filter((s) => s.changeClass !== undefined);
    expect(changes.length).toBeGreaterThan(5);
    expect(new Set(changes.map((s) => s.changeClass))).toEqual(new Set(['contain-node']));
    expect(steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute').map((s) => s.target)).toContain('eni-0b1c2d3e4f5a67890');
    expect(steps.some((s) => s.action.startsWith('iam:Put'))).toBe(false);
    expect(warnings).toContain("  kubectl cordon 'ip-10-0-3-7.ec2.internal'");
    expect(warnings).toContain("  kubectl label pod --namespace 'shop' 'web-7d9f8c6b5-x2kqp' 'ir-quarantine=ir-0123456789abcdef' --overwrite");
  });

  it('revokes the sessions of the role an audit-log finding’s user is, after recording its revoke policy, and gives no cordon without a node', () => {
    const { steps, warnings } = plan(fixture('eks-audit-exec-assumed-role.raw.json'));
    expect(steps.map((s) => [s.id, s.action, s.target, s.requires])).toEqual([
      ['record-restore:credentials', 'dynamodb:UpdateItem', 'restore#222222222222#role/ci-deployer', []],
      ['revoke-role-sessions', 'iam:PutRolePolicy', 'arn:aws:iam::222222222222:role/ci-deployer', ['record-restore:credentials']],
    ]);
    expect(steps[1]!.parameters).toMatchObject({ RoleName: 'ci-deployer', PolicyName: 'AWSRevokeOlderSessions' });
    expect(steps[1]!.changeClass).toBe('revoke-sessions');
    expect(warnings.some((w) => w.includes('kubectl cordon'))).toBe(false);
  });

  it('revokes an IAM user’s sessions', () => {
    const { steps } = plan(fixture('eks-audit-iam-user.get-findings.json'));
    expect(steps.map((s) => [s.action, s.parameters.UserName])).toEqual([
      ['dynamodb:UpdateItem', undefined],
      ['iam:PutUserPolicy', 'alice'],
    ]);
  });

  it.each([
    ['the responder’s own role', { protectedRoleNames: ['ci-deployer'] }],
    ['a protected principal', { config: { ...DEFAULT_RUNTIME_CONFIG, credentials: { ...DEFAULT_RUNTIME_CONFIG.credentials, protectedPrincipals: ['arn:aws:iam::222222222222:role/ci-deployer'] } } }],
  ])('never revokes %s, and says what to do by hand', (_, options) => {
    const { steps, warnings } = plan(fixture('eks-audit-exec-assumed-role.raw.json'), options);
    expect(steps.filter((s) => s.action.startsWith('iam:'))).toEqual([]);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('never revokes a service-linked role', () => {
    const finding = fixture('eks-audit-exec-assumed-role.raw.json');
    const { steps } = plan(finding, { facts: { entity: { state: 'found', value: { id: 'AROA2EXAMPLEEKSSLR01', arn: 'arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/ci-deployer', path: '/aws-service-role/eks.amazonaws.com/', tags: {} } } } });
    expect(steps.filter((s) => s.action.startsWith('iam:'))).toEqual([]);
  });

  it('changes nothing for a principal it could not read, and says so', () => {
    const { steps, warnings } = plan(fixture('eks-audit-exec-assumed-role.raw.json'), {
      facts: { entity: { state: 'failed', error: { code: 'AccessDenied', message: 'denied', retryable: false } } },
    });
    expect(steps).toEqual([]);
    expect(warnings.some((w) => w.includes('NOT revoked') && w.includes('AccessDenied'))).toBe(true);
  });
});
