import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { authenticatedIdOf, kubernetesPrincipalOf } from '../../../../lambda/playbooks/contain-eks/principal';
import { loadFixture } from '../../../support/fixtures';

const BASE = parseFindings(loadFixture('contain-eks/eks-audit-exec-assumed-role.raw.json'))[0]!;

function withUser(username: string | undefined): Finding {
  const k8s = BASE.resource!.kubernetesDetails!;
  return { ...BASE, resource: { ...BASE.resource, kubernetesDetails: { ...k8s, kubernetesUserDetails: { ...k8s.kubernetesUserDetails, username } } } };
}

describe('the IAM principal behind a Kubernetes user', () => {
  it('is the role of an assumed-role session ARN (an access entry’s default username), with its session', () => {
    expect(kubernetesPrincipalOf(BASE)).toEqual({
      kind: 'role',
      name: 'ci-deployer',
      arn: 'arn:aws:iam::222222222222:role/ci-deployer',
      username: 'arn:aws:sts::222222222222:assumed-role/ci-deployer/gitlab-runner-4411',
      sessionName: 'gitlab-runner-4411',
      authenticated: { state: 'known', principalId: 'AROAEXAMPLEROLEID0001', kind: 'role' },
    });
  });

  it('is the IAM user or role an IAM ARN names, path included', () => {
    expect(kubernetesPrincipalOf(withUser('arn:aws:iam::222222222222:user/alice'))).toMatchObject({ kind: 'user', name: 'alice' });
    expect(kubernetesPrincipalOf(withUser('arn:aws:iam::222222222222:role/teams/platform/admin'))).toMatchObject({ kind: 'role', name: 'admin', arn: 'arn:aws:iam::222222222222:role/teams/platform/admin' });
  });

  it.each([
    ['a name mapped in aws-auth', 'kubernetes-admin', 'not named by an IAM ARN'],
    ['a Kubernetes identity', 'system:serviceaccount:kube-system:aws-node', 'not named by an IAM ARN'],
    ['anonymous', 'system:anonymous', 'not named by an IAM ARN'],
    ['another account', 'arn:aws:iam::333333333333:user/alice', 'of account 333333333333'],
    ['an invalid role name', 'arn:aws:sts::222222222222:assumed-role/bad name/s', 'no valid role name'],
  ])('is not mapped for %s: nothing is revoked', (_, username, why) => {
    const principal = kubernetesPrincipalOf(withUser(username));
    expect(principal.kind).toBe('unmapped');
    expect(principal.kind === 'unmapped' && principal.why).toContain(why);
  });

  it('is not mapped when the finding names no user', () => {
    expect(kubernetesPrincipalOf(withUser(undefined))).toEqual({
      kind: 'unmapped',
      username: null,
      why: 'the finding names no Kubernetes user',
      authenticated: { state: 'known', principalId: 'AROAEXAMPLEROLEID0001', kind: 'role' },
    });
  });
});

describe('the caller the Kubernetes uid proves (written by the authenticator from STS, never by the mapping)', () => {
  it.each([
    ['aws-iam-authenticator:222222222222:AROAEXAMPLEROLEID0001', { state: 'known', principalId: 'AROAEXAMPLEROLEID0001', kind: 'role' }],
    ['aws-iam-authenticator:222222222222:AIDAEXAMPLEUSERID0001', { state: 'known', principalId: 'AIDAEXAMPLEUSERID0001', kind: 'user' }],
    // Compared all the same: the emulator's ids have no IAM prefix.
    ['aws-iam-authenticator:222222222222:k2v9x0example0user01', { state: 'known', principalId: 'k2v9x0example0user01', kind: null }],
  ])('%s is the IAM principal of that unique id', (uid, expected) => {
    expect(authenticatedIdOf(uid, '222222222222')).toEqual(expected);
  });

  it.each([
    [undefined, 'carries no Kubernetes uid'],
    ['aws-iam-authenticator:333333333333:AROAEXAMPLEROLEID0001', 'of account 333333333333'],
    // The authenticator's uid for an identity it does not log: the username again, which the mapping wrote.
    ['aws-iam-authenticator:administrative:arn:aws:iam::222222222222:role/SecurityTeam', 'not one the AWS IAM authenticator writes'],
    ['5b0e3c1a-2222-3333-4444-0c4b5e6f7a81', 'not one the AWS IAM authenticator writes'],
    ["aws-iam-authenticator:222222222222:AROAEXAMPLE'; rm -rf /", 'not one the AWS IAM authenticator writes'],
  ])('%s proves nothing', (uid, why) => {
    const id = authenticatedIdOf(uid, '222222222222');
    expect(id.state).toBe('unknown');
    expect(id.state === 'unknown' && id.why).toContain(why);
  });
});
