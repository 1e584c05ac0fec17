import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, CreateUserCommand, ListRolePoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { newFindingId } from './support/findings';
import { roleRevokePolicy, tokenIssueCutoff, userRevokePolicy } from './support/iam-state';
import { readInbox } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';
import { loadFixture } from '../support/fixtures';

/*
 * revoke-credentials against the emulator for the principal types beyond an
 * IAM user's key (test/integration/revoke-credentials.test.ts): a federated
 * user's session (revoked through the IAM user that issued it), an IAM
 * Identity Center role (never changed), the root user (never touched), and
 * S3 data findings made by a role. IAM is read back from moto: GetRole,
 * GetUser, PutRolePolicy and PutUserPolicy are real moto calls here. moto
 * does not refuse PutRolePolicy on an AWSReservedSSO_* role as IAM does
 * (UnmodifiableEntity), so the test proves the responder never sends it.
 */

const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';

let account: EmulatedAccount;

beforeAll(async () => {
  account = await freshSeededAccount();
  await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
});

type Json = Record<string, unknown>;

/** A fixture event of test/fixtures/findings/revoke-credentials/, moved into the seeded account, with this principal. */
function findingFrom(fixture: string, accessKeyDetails?: Json): Finding {
  const event = structuredClone(loadFixture(`revoke-credentials/${fixture}`)) as Json;
  const detail = event.detail as Json;
  const { accountId, region } = account.seed;
  const id = newFindingId();
  Object.assign(event, { account: accountId, region });
  Object.assign(detail, { accountId, region, id, arn: `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  if (accessKeyDetails) (detail.resource as Json).accessKeyDetails = accessKeyDetails;
  return parseFindings(event)[0]!;
}

const temporaryKey = () => `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;

async function notificationOf(finding: Finding) {
  const inbox = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
  return inbox.find((n) => n.message.includes(finding.id));
}

function expectRecentCutoff(cutoff: Date | null, from: number): void {
  expect(cutoff).not.toBeNull();
  expect(cutoff!.getTime()).toBeGreaterThanOrEqual(from - 5_000);
  expect(cutoff!.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
}

describe('a federated user (GetFederationToken) whose finding names the issuing IAM user', () => {
  it("denies that user's older sessions (PutUserPolicy), and touches no role and no key", async () => {
    await account.clients.iam.send(new CreateUserCommand({ UserName: 'partner-broker' }));
    const finding = findingFrom('federated-user-named-issuer.event.json', {
      accessKeyId: temporaryKey(),
      principalId: `${account.seed.accountId}:partner-session`,
      userName: 'partner-broker',
      userType: 'FederatedUser',
    });
    const from = Date.now();

    const report = await runPlaybook(account, finding);

    expect(failedSteps(report)).toEqual([]);
    expect(report.blockedBy).toEqual([]);
    expect(report.steps.find((s) => s.id === 'revoke-user-sessions')?.status).toBe('done');
    const policy = await userRevokePolicy(account.clients.iam, 'partner-broker');
    expect(policy?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
    expectRecentCutoff(tokenIssueCutoff(policy!), from);
    expect(await roleRevokePolicy(account.clients.iam, account.seed.identities.workloadRole.roleName)).toBeNull();
  });
});

describe('an IAM Identity Center permission-set role', () => {
  let report: Report;
  let finding: Finding;
  const roleName = 'AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6071';

  beforeAll(async () => {
    const { Role } = await account.clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        Path: SSO_PATH,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${account.seed.accountId}:saml-provider/AWSSSO_0a1b2c3d_DO_NOT_DELETE` }, Action: 'sts:AssumeRoleWithSAML' }],
        }),
      }),
    );
    finding = findingFrom('identity-center-role.event.json', {
      accessKeyId: temporaryKey(),
      principalId: `${Role!.RoleId}:alice@example.com`,
      userName: roleName,
      userType: 'AssumedRole',
    });
    report = await runPlaybook(account, finding);
  });

  it('puts no policy on the role (GetRole read its path: an Identity Center role)', async () => {
    expect(report.blockedBy).toEqual(['manual-response']);
    expect(report.reads.find((r) => r.action === 'iam:GetRole')?.status).toBe('done');
    const { PolicyNames = [] } = await account.clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    expect(PolicyNames).toEqual([]);
  });

  it('sends MANUAL ACTION REQUIRED with the Identity Center console steps', async () => {
    const notification = await notificationOf(finding);
    expect(notification?.subject).toMatch(/^\[GuardDuty IR MANUAL ACTION REQUIRED\] revoke-credentials: /);
    expect(notification?.message).toContain('Users > alice@example.com > Active sessions > select every session > Delete session');
    expect(notification?.message).toContain('Permission sets > AdministratorAccess > Inline policy');
  });
});

describe('the root user', () => {
  it('is never touched: no IAM change, MANUAL ACTION REQUIRED', async () => {
    const finding = findingFrom('impact-root.event.json', { accessKeyId: temporaryKey(), principalId: account.seed.accountId, userName: 'Root', userType: 'Root' });

    const report = await runPlaybook(account, finding);

    expect(report.blockedBy).toEqual(['manual-response']);
    expect(report.steps.filter((s) => s.mutating && s.status === 'done').map((s) => s.id)).toEqual([]);
    expect(report.steps.filter((s) => s.action.startsWith('iam:')).map((s) => s.id)).toEqual([]);
    expect((await notificationOf(finding))?.subject).toMatch(/^\[GuardDuty IR MANUAL ACTION REQUIRED\] revoke-credentials: /);
  });
});

describe('an S3 data finding made by a role session (Exfiltration:S3/AnomalousBehavior)', () => {
  it("revokes the role's older sessions and records the buckets and the API call", async () => {
    const role = account.seed.identities.workloadRole;
    const finding = findingFrom('exfiltration-s3-assumed-role.event.json', {
      accessKeyId: temporaryKey(),
      principalId: `${role.roleId}:nightly-export`,
      userName: role.roleName,
      userType: 'AssumedRole',
    });
    const from = Date.now();

    const report = await runPlaybook(account, finding);

    expect(report.route.ruleId).toBe('s3-data-by-principal');
    expect(failedSteps(report)).toEqual([]);
    const policy = await roleRevokePolicy(account.clients.iam, role.roleName);
    expectRecentCutoff(tokenIssueCutoff(policy!), from);
    expect(report.resource.s3Activity).toMatchObject({ api: 'GetObject', buckets: [{ name: 'example-customer-exports' }, { name: 'example-finance-reports' }] });
    expect((await notificationOf(finding))?.message).toContain('S3 data activity by this principal: GetObject (s3.amazonaws.com) on buckets example-customer-exports');
    const { PolicyNames = [] } = await account.clients.iam.send(new ListUserPoliciesCommand({ UserName: account.seed.identities.user.userName }));
    expect(PolicyNames).toEqual([]);
  });
});

describe('a principal that only shares the caller’s name (moto answers GetRole with its own RoleId)', () => {
  /** A role of our account named like the caller, created for this test: it must keep working. */
  async function ourRoleNamedLikeTheCaller(): Promise<{ roleName: string; roleId: string }> {
    const roleName = `reports-export-${randomBytes(3).toString('hex')}`;
    const { Role } = await account.clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    return { roleName, roleId: Role!.RoleId! };
  }

  it('a caller of another account (remoteAccountDetails 999999999999) revokes nothing in ours: NOT THE CALLER', async () => {
    const role = await ourRoleNamedLikeTheCaller();
    // The fixture's remoteAccountDetails are kept; even the principalId is our role's, as a forger would write it.
    const finding = findingFrom('exfiltration-s3-cross-account.event.json', { accessKeyId: temporaryKey(), principalId: `${role.roleId}:nightly-export`, userName: role.roleName, userType: 'AssumedRole' });

    const report = await runPlaybook(account, finding);

    expect(report.blockedBy).toEqual(['caller-outside-account', 'manual-response']);
    expect(report.steps.filter((s) => s.action.startsWith('iam:')).map((s) => s.id)).toEqual([]);
    expect(await roleRevokePolicy(account.clients.iam, role.roleName)).toBeNull();
    expect((await notificationOf(finding))?.subject).toMatch(/^\[GuardDuty IR NOT THE CALLER - MANUAL ACTION REQUIRED\] revoke-credentials: /);
  });

  it('a role session whose role id is not the RoleId moto gives our role of that name revokes nothing', async () => {
    const role = await ourRoleNamedLikeTheCaller();
    const finding = findingFrom('exfiltration-s3-role-id-mismatch.event.json', { accessKeyId: temporaryKey(), principalId: 'AROA9EXAMPLEOTHER001:nightly-export', userName: role.roleName, userType: 'AssumedRole' });

    const report = await runPlaybook(account, finding);

    expect(report.blockedBy).toEqual(['principal-mismatch', 'manual-response']);
    expect(report.guards.find((g) => g.id === 'principal-mismatch')?.reason).toContain(`(its RoleId is ${role.roleId})`);
    expect(await roleRevokePolicy(account.clients.iam, role.roleName)).toBeNull();
    const { PolicyNames = [] } = await account.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }));
    expect(PolicyNames).toEqual([]);
  });
});
