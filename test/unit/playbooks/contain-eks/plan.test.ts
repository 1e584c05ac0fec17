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

function withUser(finding: Finding, username: string, uid: string | undefined): Finding {
  const k8s = finding.resource!.kubernetesDetails!;
  return { ...finding, resource: { ...finding.resource, kubernetesDetails: { ...k8s, kubernetesUserDetails: { ...k8s.kubernetesUserDetails, username, uid } } } };
}

function withNodeTags(finding: Finding, tags: { key: string; value: string }[]): Finding {
  return { ...finding, resource: { ...finding.resource, instanceDetails: { ...finding.resource!.instanceDetails, tags } } };
}

const role = (id: string | null) => ({ state: 'found' as const, value: { arn: 'arn:aws:iam::222222222222:role/SecurityTeam', path: '/', tags: {}, id } });
const ATTACKER_UID = 'aws-iam-authenticator:222222222222:AROAATTACKERROLEID001';

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
    const { steps } = plan(finding, { facts: { entity: { state: 'found', value: { arn: 'arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/ci-deployer', path: '/aws-service-role/eks.amazonaws.com/', tags: {}, id: 'AROAEXAMPLEROLEID0001' } } } });
    expect(steps.filter((s) => s.action.startsWith('iam:'))).toEqual([]);
  });

  it('changes nothing for a principal it could not read, and says so', () => {
    const { steps, warnings } = plan(fixture('eks-audit-exec-assumed-role.raw.json'), {
      facts: { entity: { state: 'failed', error: { code: 'AccessDenied', message: 'denied', retryable: false } } },
    });
    expect(steps).toEqual([]);
    expect(warnings.some((w) => w.includes('NOT revoked') && w.includes('AccessDenied'))).toBe(true);
  });

  it('revokes only when IAM’s unique id of the principal the username names is the caller’s, and says it was verified', () => {
    const { steps } = plan(fixture('eks-audit-exec-assumed-role.raw.json'), {
      facts: { entity: { state: 'found', value: { arn: 'arn:aws:iam::222222222222:role/ci-deployer', path: '/', tags: {}, id: 'AROAEXAMPLEROLEID0001' } } },
    });
    const revoke = steps.find((s) => s.id === 'revoke-role-sessions');
    expect(revoke?.parameters).toMatchObject({ RoleName: 'ci-deployer' });
    expect(revoke?.why).toContain('verified: its unique id AROAEXAMPLEROLEID0001 is the one the authenticator gave the caller');
  });
});

describe('a Kubernetes username is only a claim (whoever edits aws-auth or the access entries writes it)', () => {
  const forged = () => withUser(fixture('eks-audit-exec-assumed-role.raw.json'), 'arn:aws:iam::222222222222:role/SecurityTeam', ATTACKER_UID);

  it('never revokes a role the username names when the caller authenticated as another principal, and says so loudly', () => {
    const { steps, warnings, verdicts } = plan(forged(), { facts: { entity: role('AROASECURITYTEAMID001') } });
    expect(steps).toEqual([]);
    expect(verdicts).toEqual([]);
    expect(warnings[0]).toContain("NOT REVOKED - THE KUBERNETES USER'S MAPPING DOES NOT MATCH THE CALLER");
    expect(warnings[0]).toContain('names IAM role SecurityTeam (unique id AROASECURITYTEAMID001), but the caller authenticated as unique id AROAATTACKERROLEID001');
    expect(warnings).toContain(
      `MANUAL: the caller is the IAM role whose unique id is AROAATTACKERROLEID001; find it: aws iam list-roles --query "Roles[?RoleId=='AROAATTACKERROLEID001'].Arn" --output text`,
    );
    expect(warnings.some((w) => w.includes("aws eks list-access-entries --cluster-name 'prod'") && w.includes('kubectl get configmap aws-auth --namespace kube-system --output yaml'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('MANUAL: once the caller is known, revoke its older sessions: aws iam put-role-policy --role-name <role> --policy-name AWSRevokeOlderSessions'))).toBe(true);
  });

  it('never revokes a user the username names when the caller is a role', () => {
    const finding = withUser(fixture('eks-audit-exec-assumed-role.raw.json'), 'arn:aws:iam::222222222222:user/alice', ATTACKER_UID);
    const { steps, warnings } = plan(finding, { facts: { entity: { state: 'found', value: { arn: 'arn:aws:iam::222222222222:user/alice', path: '/', tags: {}, id: 'AIDAEXAMPLEUSERID0001' } } } });
    expect(steps).toEqual([]);
    expect(warnings[0]).toContain('the caller authenticated as an IAM role (unique id AROAATTACKERROLEID001)');
  });

  it.each([
    ['no uid', undefined],
    ['the uid of another account', 'aws-iam-authenticator:333333333333:AROASECURITYTEAMID001'],
    ['the authenticator’s uid for an unlogged identity (the username again)', 'aws-iam-authenticator:administrative:arn:aws:iam::222222222222:role/SecurityTeam'],
  ])('revokes nothing on a username alone (%s): the plan says the mapping was not verified', (_, uid) => {
    const { steps, warnings } = plan(withUser(fixture('eks-audit-exec-assumed-role.raw.json'), 'arn:aws:iam::222222222222:role/SecurityTeam', uid), { facts: { entity: role('AROASECURITYTEAMID001') } });
    expect(steps).toEqual([]);
    expect(warnings[0]).toContain('The sessions of arn:aws:iam::222222222222:role/SecurityTeam are NOT revoked: the mapping was NOT verified');
    expect(warnings.some((w) => w.startsWith('MANUAL: the finding does not prove which IAM principal the caller is'))).toBe(true);
  });

  it('revokes nothing when IAM gives no unique id to compare', () => {
    const { steps, warnings } = plan(withUser(fixture('eks-audit-exec-assumed-role.raw.json'), 'arn:aws:iam::222222222222:role/SecurityTeam', 'aws-iam-authenticator:222222222222:AROASECURITYTEAMID001'), {
      facts: { entity: role(null) },
    });
    expect(steps).toEqual([]);
    expect(warnings[0]).toContain('IAM gave no unique id');
  });

  it('gives the exact command to find the caller of a mapped name by its unique id', () => {
    const { steps, warnings } = plan(withUser(fixture('eks-audit-exec-assumed-role.raw.json'), 'kubernetes-admin', ATTACKER_UID));
    expect(steps).toEqual([]);
    expect(warnings).toContain(`MANUAL: the caller is the IAM role whose unique id is AROAATTACKERROLEID001; find it: aws iam list-roles --query "Roles[?RoleId=='AROAATTACKERROLEID001'].Arn" --output text`);
  });
});

describe('the node of a contain-eks plan', () => {
  it('is not contained when the instance carries no tag of the finding’s cluster, and the plan says so', () => {
    const finding = withNodeTags(fixture('eks-runtime-node.event.json'), [{ key: 'eks:cluster-name', value: 'staging' }]);
    const { steps, warnings } = plan(finding);
    expect(steps.filter((s) => s.changeClass !== undefined)).toEqual([]);
    expect(warnings.some((w) => w.startsWith('The node is NOT contained: instance i-0b1c2d3e4f5a67890 carries no tag that makes it a node of cluster prod'))).toBe(true);
  });

  it.each([
    [[{ key: 'kubernetes.io/cluster/prod', value: 'owned' }]],
    [[{ key: 'eks:eks-cluster-name', value: 'prod' }]],
    [[{ key: 'aws:eks:cluster-name', value: 'prod' }]],
  ])('is contained when the instance carries %j', (tags) => {
    const { steps } = plan(withNodeTags(fixture('eks-runtime-node.event.json'), tags));
    expect(steps.filter((s) => s.changeClass === 'contain-node').length).toBeGreaterThan(5);
  });

  it('that could not be read stays a blocking verdict (the incident stays open and a transient failure is retried), never a mere warning', () => {
    const finding = fixture('eks-runtime-node.event.json');
    const offline = offlineEksFacts(finding);
    const node = { ...offline.node!, lookup: { status: 'unreadable' as const, error: { code: 'ThrottlingException', message: 'Rate exceeded', retryable: true } } };
    const { verdicts, warnings } = plan(finding, { facts: { node } });
    expect(verdicts).toEqual([expect.objectContaining({ id: 'instance-unreadable', blocks: true })]);
    expect(warnings.some((w) => w.startsWith('The node could not be read: NOTHING is changed'))).toBe(true);
  });
});
