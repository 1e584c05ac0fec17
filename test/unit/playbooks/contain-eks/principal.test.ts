import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { kubernetesPrincipalOf } from '../../../../lambda/playbooks/contain-eks/principal';
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
    expect(kubernetesPrincipalOf(withUser(undefined))).toEqual({ kind: 'unmapped', username: null, why: 'the finding names no Kubernetes user' });
  });
});
