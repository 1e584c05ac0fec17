import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES } from '../../lambda/approval/schema';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { newFindingId } from './support/findings';
import { roleRevokePolicy, userRevokePolicy } from './support/iam-state';
import { ENFORCE_CONFIG, failedSteps, runPlaybook } from './support/run-playbook';
import { loadFixture } from '../support/fixtures';

/*
 * contain-eks against the emulator: the sessions of the IAM role or user a
 * Kubernetes user is are revoked in moto's IAM, and the node a runtime
 * finding names is isolated in moto's EC2 when its class (contain-node)
 * is auto. moto has no EKS, and the responder calls none: the kubectl steps
 * are a person's. The wait for an approval has its own tests (test/integration/approval-*.test.ts).
 */

let account: EmulatedAccount;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test edits a fixture's JSON

function finding(fixture: string, edit: (detail: Json) => void): Finding {
  const raw = structuredClone(loadFixture(`contain-eks/${fixture}`)) as Json;
  // An EventBridge event, a raw finding, or get-findings output (PascalCase; the parser camelizes it).
  const detail = (raw.detail ?? raw.Findings?.[0] ?? raw) as Json;
  const id = newFindingId();
  Object.assign(detail, { id, accountId: account.seed.accountId, region: account.seed.region, arn: `arn:aws:guardduty:${account.seed.region}:${account.seed.accountId}:detector/d/finding/${id}` });
  edit(detail);
  return parseFindings(raw)[0]!;
}

function mutatingStatuses(report: Report): [string, string][] {
  return report.steps.filter((s) => s.mutating && !['notify', 'evidence', 'securityhub:note'].includes(s.id)).map((s) => [s.id, s.status]);
}

beforeAll(async () => {
  account = await freshSeededAccount();
});

describe('a Kubernetes user that is an IAM role session', () => {
  let report: Report;

  beforeAll(async () => {
    const role = account.seed.identities.workloadRole;
    report = await runPlaybook(
      account,
      finding('eks-audit-exec-assumed-role.raw.json', (detail) => {
        detail.resource.kubernetesDetails.kubernetesUserDetails.username = `arn:aws:sts::${account.seed.accountId}:assumed-role/${role.roleName}/gitlab-runner-4411`;
        // The uid the authenticator writes: the caller's unique id, as moto's IAM gave it to the role.
        detail.resource.kubernetesDetails.kubernetesUserDetails.uid = `aws-iam-authenticator:${account.seed.accountId}:${role.roleId}`;
      }),
    );
  });

  it('revokes the role’s older sessions in IAM', async () => {
    expect(failedSteps(report)).toEqual([]);
    expect(mutatingStatuses(report)).toEqual([
      ['record-restore:credentials', 'done'],
      ['revoke-role-sessions', 'done'],
    ]);
    const policy = await roleRevokePolicy(account.clients.iam, account.seed.identities.workloadRole.roleName);
    expect(policy?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
  });
});

describe('a Kubernetes username that names one role while the caller is another (a forged mapping)', () => {
  it('revokes neither: the named role keeps its sessions', async () => {
    const { workloadRole, instanceRole } = account.seed.identities;
    const report = await runPlaybook(
      account,
      finding('eks-audit-exec-assumed-role.raw.json', (detail) => {
        detail.resource.kubernetesDetails.kubernetesUserDetails.username = `arn:aws:iam::${account.seed.accountId}:role/${instanceRole.roleName}`;
        detail.resource.kubernetesDetails.kubernetesUserDetails.uid = `aws-iam-authenticator:${account.seed.accountId}:${workloadRole.roleId}`;
      }),
    );
    expect(report.steps.some((s) => s.action === 'iam:PutRolePolicy')).toBe(false);
    expect(await roleRevokePolicy(account.clients.iam, instanceRole.roleName)).toBeNull();
  });
});

describe('a Kubernetes user that is a service-linked role', () => {
  it('is never revoked', async () => {
    const role = account.seed.identities.serviceLinkedRole;
    const report = await runPlaybook(
      account,
      finding('eks-audit-exec-assumed-role.raw.json', (detail) => {
        detail.resource.kubernetesDetails.kubernetesUserDetails.username = `arn:aws:sts::${account.seed.accountId}:assumed-role/${role.roleName}/s`;
        detail.resource.kubernetesDetails.kubernetesUserDetails.uid = `aws-iam-authenticator:${account.seed.accountId}:${role.roleId}`;
      }),
    );
    expect(report.steps.some((s) => s.action === 'iam:PutRolePolicy')).toBe(false);
    expect(await roleRevokePolicy(account.clients.iam, role.roleName)).toBeNull();
  });
});

describe('a Kubernetes user that is an IAM user', () => {
  it('has its older sessions revoked', async () => {
    const { userName, userId } = account.seed.identities.user;
    const report = await runPlaybook(
      account,
      finding('eks-audit-iam-user.get-findings.json', (detail) => {
        detail.Resource.KubernetesDetails.KubernetesUserDetails.Username = `arn:aws:iam::${account.seed.accountId}:user/${userName}`;
        detail.Resource.KubernetesDetails.KubernetesUserDetails.Uid = `aws-iam-authenticator:${account.seed.accountId}:${userId}`;
        // finding() set camelCase keys: GetFindings' own are PascalCase.
        for (const key of ['accountId', 'region', 'id', 'arn']) {
          detail[key.charAt(0).toUpperCase() + key.slice(1)] = detail[key];
          delete detail[key];
        }
      }),
    );
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'revoke-user-sessions')?.status).toBe('done');
    expect((await userRevokePolicy(account.clients.iam, userName))?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
  });
});

describe('a runtime finding naming a node', () => {
  beforeAll(async () => {
    // A managed node group's tag: the node is one of the finding's cluster (prod).
    await account.clients.ec2.send(new CreateTagsCommand({ Resources: [account.seed.instanceB.instanceId], Tags: [{ Key: 'eks:cluster-name', Value: 'prod' }] }));
  });

  function nodeFinding(): Finding {
    const instance = account.seed.instanceB;
    return finding('eks-runtime-node.event.json', (detail) => {
      detail.resource.instanceDetails.instanceId = instance.instanceId;
      detail.resource.instanceDetails.networkInterfaces = [];
    });
  }

  it('waits for approval by default (contain-node): the node is not isolated', async () => {
    const before = groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId));
    const report = await runPlaybook(account, nodeFinding(), { config: { ...ENFORCE_CONFIG, approval: { defaults: {}, rules: [], timeoutMinutes: DEFAULT_APPROVAL_TIMEOUT_MINUTES, onTimeout: 'stand-down', escalateMinutesBefore: 15 } } });
    const moves = report.steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute');
    // The move back to the ENI's own groups (it compensates a failed move) is never governed by the policy.
    const governed = moves.filter((s) => s.approval !== undefined);
    expect(governed.length).toBeGreaterThan(0);
    expect(governed.map((s) => [s.approval?.mode, s.approval?.changeClass])).toEqual(governed.map(() => ['approve', 'contain-node']));
    expect(moves.filter((s) => s.status === 'done')).toEqual([]);
    expect(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId))).toEqual(before);
  });

  it('is isolated when the policy makes contain-node auto', async () => {
    const report = await runPlaybook(account, nodeFinding(), {
      config: { ...ENFORCE_CONFIG, approval: { defaults: { 'contain-node': 'auto' }, rules: [], timeoutMinutes: DEFAULT_APPROVAL_TIMEOUT_MINUTES, onTimeout: 'stand-down', escalateMinutesBefore: 15 } },
    });
    expect(failedSteps(report)).toEqual([]);
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId);
    const [isolation] = await responderGroups(account.clients.ec2, instance.VpcId ?? '', 'isolation');
    expect(isolation?.GroupId).toBeDefined();
    expect(groupsByEni(instance)).toEqual(Object.fromEntries(account.seed.instanceB.networkInterfaces.map((eni) => [eni.networkInterfaceId, [isolation!.GroupId]])));
  });
});
