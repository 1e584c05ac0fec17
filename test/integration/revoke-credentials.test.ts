import { CreateRoleCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { assumedRoleFinding, userKeyFinding } from './support/findings';
import { accessKeyStatuses, roleRevokePolicy, tokenIssueCutoff, userRevokePolicy, type PolicyDocument } from './support/iam-state';
import { readInbox } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * revoke-credentials against the emulator: a stolen long-term key of an IAM
 * user, a stolen role session, and role sessions the responder must refuse
 * to touch. Assertions read IAM back from the emulator. moto stores IAM
 * policies but never evaluates them: that the Deny really stops older
 * sessions is AWS's behaviour and cannot be seen here; the document is.
 */

const CUTOFF_TOLERANCE_MS = 5_000;

let account: EmulatedAccount;

beforeAll(async () => {
  account = await freshSeededAccount();
});

function expectDenyOlderSessions(policy: PolicyDocument | null, ranBetween: { from: number; to: number }): void {
  expect(policy).not.toBeNull();
  expect(policy!.Statement).toEqual([
    expect.objectContaining({ Effect: 'Deny', Action: expect.arrayContaining(['*']), Resource: expect.arrayContaining(['*']) }),
  ]);
  const cutoff = tokenIssueCutoff(policy!);
  expect(cutoff).not.toBeNull();
  // Taken when the step ran: not earlier than the run started, not later than it ended (a few seconds of slack).
  expect(cutoff!.getTime()).toBeGreaterThanOrEqual(ranBetween.from - CUTOFF_TOLERANCE_MS);
  expect(cutoff!.getTime()).toBeLessThanOrEqual(ranBetween.to + CUTOFF_TOLERANCE_MS);
}

async function timedRun(run: () => Promise<Report>): Promise<{ report: Report; ranBetween: { from: number; to: number } }> {
  const from = Date.now();
  const report = await run();
  return { report, ranBetween: { from, to: Date.now() } };
}

describe('a stolen long-term access key of an IAM user', () => {
  let report: Report;
  let ranBetween: { from: number; to: number };

  beforeAll(async () => {
    const [stolen] = account.seed.identities.user.accessKeyIds;
    ({ report, ranBetween } = await timedRun(() => runPlaybook(account, userKeyFinding(account.seed, stolen))));
  });

  it('runs revoke-credentials without a failed step', () => {
    expect(report.playbook).toBe('revoke-credentials');
    expect(report.blockedBy).toEqual([]);
    expect(failedSteps(report)).toEqual([]);
  });

  it('deactivates exactly the key the finding names and leaves the other key Active', async () => {
    const { userName, accessKeyIds } = account.seed.identities.user;
    expect(await accessKeyStatuses(account.clients.iam, userName)).toEqual({ [accessKeyIds[0]]: 'Inactive', [accessKeyIds[1]]: 'Active' });
  });

  it("denies the user's sessions issued before now (AWSRevokeOlderSessions)", async () => {
    expectDenyOlderSessions(await userRevokePolicy(account.clients.iam, account.seed.identities.user.userName), ranBetween);
  });

  it('touches no role', async () => {
    const { instanceRole, workloadRole } = account.seed.identities;
    expect(await roleRevokePolicy(account.clients.iam, instanceRole.roleName)).toBeNull();
    expect(await roleRevokePolicy(account.clients.iam, workloadRole.roleName)).toBeNull();
  });
});

describe('a stolen session of an assumed role', () => {
  let report: Report;
  let ranBetween: { from: number; to: number };

  beforeAll(async () => {
    ({ report, ranBetween } = await timedRun(() => runPlaybook(account, assumedRoleFinding(account.seed, account.seed.identities.workloadRole))));
  });

  it('runs without a failed step', () => {
    expect(report.blockedBy).toEqual([]);
    expect(failedSteps(report)).toEqual([]);
  });

  it("denies the role's sessions issued before now (AWSRevokeOlderSessions on the role)", async () => {
    expectDenyOlderSessions(await roleRevokePolicy(account.clients.iam, account.seed.identities.workloadRole.roleName), ranBetween);
  });
});

describe('role sessions the responder must never revoke', () => {
  beforeAll(async () => {
    await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
  });

  it('refuses a service-linked role (CreateServiceLinkedRole): no policy is put, and the report says why', async () => {
    const role = account.seed.identities.serviceLinkedRole;
    expect(role.path).toMatch(/^\/aws-service-role\//);
    const finding = assumedRoleFinding(account.seed, role);
    const report = await runPlaybook(account, finding);

    const { PolicyNames = [] } = await account.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }));
    expect(PolicyNames).toEqual([]);
    expect(report.blockedBy.length).toBeGreaterThan(0);
    expect(report.guards.filter((g) => g.blocks).map((g) => g.reason).join('\n')).toMatch(/service-linked/);
    expect(report.steps.filter((s) => s.mutating).every((s) => s.status === 'skipped')).toBe(true);
    const [notification] = (await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl)).filter((n) => n.message.includes(finding.id));
    expect(notification?.message).toContain('NO CHANGES WERE MADE');
    expect(notification?.message).toMatch(/service-linked/);
  });

  it('refuses a role under /aws-service-role/ by its path, whatever its name', async () => {
    // Only the path marks this role as service-linked (its name does not start with AWSServiceRoleFor), so the
    // refusal must come from the path GetRole returned. AWS itself would not let CreateRole use this path; moto does.
    const { Role } = await account.clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'legacy-agent',
        Path: '/aws-service-role/agent.example.com/',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    const role = { roleName: 'legacy-agent', roleId: Role!.RoleId!, arn: Role!.Arn!, path: Role!.Path! };
    const report = await runPlaybook(account, assumedRoleFinding(account.seed, role));

    const { PolicyNames = [] } = await account.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }));
    expect(PolicyNames).toEqual([]);
    expect(report.guards.filter((g) => g.blocks).map((g) => g.reason).join('\n')).toMatch(/service-linked/);
  });
});
