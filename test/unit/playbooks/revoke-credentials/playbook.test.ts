import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  ListAccountAliasesCommand,
} from '@aws-sdk/client-iam';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { revokeCredentialsPlaybook } from '../../../../lambda/playbooks/revoke-credentials/playbook';
import { respond } from '../../../../lambda/respond/respond';
import { givenRole, givenUser, iamActionsReceived, iamError, mutatingActionsReceived, roleArn, userArn } from '../../../support/aws-mocks/revoke-iam';
import {
  FEDERATED_FINDING,
  INSTANCE_CREDENTIALS_FINDING,
  revokeFinding,
  ROLE_FINDING,
  ROOT_FINDING,
  USER_KEY_FINDING,
  USER_TEMP_KEY_FINDING,
} from '../../../support/aws-mocks/revoke-findings';
import { cloudTrailActionsReceived, givenQuietInvestigation } from '../../../support/aws-mocks/revoke-investigation';
import { REVOKE_SCENARIOS } from '../../../support/aws-mocks/revoke-scenarios';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

// The Security Hub note (on by default) has its own tests (test/unit/close-loop/): these are about the playbook's steps.
const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const PLANNED_AT = '2026-11-22T10:00:00.000Z';
const RUN_AT = '2026-11-22T10:00:07.000Z';
const KEY = 'AKIA2EXAMPLEKEY00001';
const OTHER_KEY = 'AKIA2EXAMPLEKEY00002';
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

/** The planning time on the first call, the execution time on every later one. */
function clock(): () => Date {
  let calls = 0;
  return () => new Date(calls++ === 0 ? PLANNED_AT : RUN_AT);
}

function revokePolicy(issuedBefore: string): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"${issuedBefore}"}}}]}`;
}

function run(
  finding: Finding,
  options: { dryRun?: boolean; protectedRoleNames?: string[]; credentials?: Partial<RuntimeConfig['credentials']> } = {},
): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: { ...ENFORCE, credentials: { ...ENFORCE.credentials, ...options.credentials } },
    clients,
    dryRun: options.dryRun ?? false,
    responder: { protectedRoleNames: options.protectedRoleNames ?? [] },
    now: clock(),
  });
}

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return step;
}

const statuses = (report: Report) => report.steps.map((s) => [s.id, s.status]);

// The read-only investigation after containment, when it finds nothing (see investigation.test.ts for what it finds).
const INVESTIGATED_KEY = [
  ['investigate-key-last-used', 'done'],
  ['investigate-services-accessed', 'done'],
  ['investigate-key-events', 'done'],
];
const INVESTIGATED_TEMPORARY_KEY = [
  ['investigate-key-last-used', 'skipped'],
  ['investigate-services-accessed', 'done'],
  ['investigate-key-events', 'done'],
];
const INVESTIGATION_IAM_CALLS = ['iam:GetAccessKeyLastUsed', 'iam:GenerateServiceLastAccessedDetails', 'iam:GetServiceLastAccessedDetails'];
const SERVICES_IAM_CALLS = ['iam:GenerateServiceLastAccessedDetails', 'iam:GetServiceLastAccessedDetails'];

function givenDeployBot(keys: { accessKeyId: string; status: 'Active' | 'Inactive' }[], tags: Record<string, string> = {}) {
  givenUser(iam, { userName: 'deploy-bot', tags, keys });
}

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  // Anything the test did not arrange is an error, so an unexpected call cannot pass silently.
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  // The account's alias, read for the notification (lambda/notify/account-alias.ts): none set.
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  givenQuietInvestigation(iam, cloudTrail);
});

describe('IAM user with a long-term key (AKIA)', () => {
  it('deactivates exactly that key, then revokes the user older sessions at execution time', async () => {
    givenDeployBot([
      { accessKeyId: KEY, status: 'Active' },
      { accessKeyId: OTHER_KEY, status: 'Active' },
    ], { team: 'payments' });
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(report.blockedBy).toEqual([]);
    expect(statuses(report)).toEqual([
      // The restore record first (no ledger here, so nothing is written: test/unit/ledger/restore-record-steps.test.ts has one).
      ['record-restore:credentials', 'done'],
      ['deactivate-access-key', 'done'],
      ['revoke-user-sessions', 'done'],
      ...INVESTIGATED_KEY,
      ['notify', 'skipped'], ['evidence', 'skipped'],
    ]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetUser', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:PutUserPolicy', ...INVESTIGATION_IAM_CALLS]);
    expect(cloudTrailActionsReceived(cloudTrail)).toEqual(['cloudtrail:LookupEvents']);
    expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'deploy-bot' });
    expect(iam).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'deploy-bot' });
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' },
    ]);
    expect(iam.commandCalls(UpdateAccessKeyCommand, { AccessKeyId: OTHER_KEY })).toHaveLength(0);
    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);

    const deactivate = stepOf(report, 'deactivate-access-key');
    expect(deactivate).toMatchObject({
      action: 'iam:UpdateAccessKey',
      target: `${userArn('deploy-bot')} (access key ${KEY})`,
      parameters: { UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' },
      mutating: true,
      stage: 1,
      requires: ['record-restore:credentials'],
      detail: `access key ${KEY} of deploy-bot is now Inactive`,
    });
    const sessions = stepOf(report, 'revoke-user-sessions');
    // The plan shows the planning time; the document sent carries the time the step ran.
    expect(sessions).toMatchObject({
      action: 'iam:PutUserPolicy',
      target: userArn('deploy-bot'),
      parameters: { UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(PLANNED_AT) },
      stage: 2,
      requires: ['record-restore:credentials'],
      detail: `AWSRevokeOlderSessions on user deploy-bot denies sessions issued before ${RUN_AT}`,
    });
    expect(sessions.why).toContain('taken when the step runs');

    expect(report.resource).toEqual({
      principal: 'iam-user',
      userType: 'IAMUser',
      userName: 'deploy-bot',
      principalId: 'AIDA2EXAMPLEUSER0001',
      accessKeyId: KEY,
      keyKind: 'long-term',
      userState: 'found',
      arn: userArn('deploy-bot'),
      path: '/',
      keyStatus: 'Active',
      otherKeys: [{ accessKeyId: OTHER_KEY, status: 'Active' }],
    });
    expect(report.warnings).toEqual([
      `the other access keys of IAM user deploy-bot are left as they are: ${OTHER_KEY} (Active). Deactivate them by hand if they are compromised too.`,
    ]);
    // GuardDuty is asked first, in the security account, for the finding it must confirm.
    expect(report.reads.map((r) => [r.action, r.target, r.status])).toEqual([
      ['guardduty:ListDetectors', 'guardduty:us-east-1', 'done'],
      ['guardduty:GetFindings', report.findingId, 'done'],
      ['iam:GetUser', 'user/deploy-bot', 'done'],
      ['iam:ListAccessKeys', 'user/deploy-bot', 'done'],
      // The account's alias for the notification, read beside discovery: reported once it has settled.
      ['iam:ListAccountAliases', '222222222222', 'done'],
    ]);
  });

  it('skips a key that is already Inactive, with the reason, and still revokes the sessions', async () => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Inactive' }]);
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, 'deactivate-access-key')).toMatchObject({ status: 'skipped', reason: `access key ${KEY} is already Inactive (ListAccessKeys)` });
    expect(stepOf(report, 'revoke-user-sessions').status).toBe('done');
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(report.resource).toMatchObject({ keyStatus: 'Inactive', otherKeys: [] });
  });

  it('does not deactivate a key that is not one of the user keys, says so, and still revokes the sessions', async () => {
    givenDeployBot([{ accessKeyId: OTHER_KEY, status: 'Active' }]);
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(statuses(report)).toEqual([['record-restore:credentials', 'done'], ['revoke-user-sessions', 'done'], ...INVESTIGATED_KEY, ['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(stepOf(report, 'revoke-user-sessions').stage).toBe(1);
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(report.warnings).toEqual([
      `access key ${KEY} is not one of IAM user deploy-bot's keys (ListAccessKeys lists: ${OTHER_KEY} (Active)), so it is not deactivated: ` +
        'it was deleted already or belongs to another principal. Find out which in CloudTrail.',
    ]);
    expect(report.resource).toMatchObject({ keyStatus: 'not a key of this user', otherKeys: [{ accessKeyId: OTHER_KEY, status: 'Active' }] });
  });

  it('changes nothing for a user that no longer exists, and says so', async () => {
    iam.on(GetUserCommand).rejects(iamError('NoSuchEntity', 'The user with name deploy-bot cannot be found.'));

    const report = await run(revokeFinding(USER_KEY_FINDING));

    // Only the key's CloudTrail events are left to read: they may show who deleted the user.
    expect(statuses(report)).toEqual([
      ['investigate-key-events', 'done'],
      ['notify', 'skipped'], ['evidence', 'skipped'],
    ]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetUser']);
    expect(report.reads).toEqual([
      expect.objectContaining({ action: 'guardduty:ListDetectors', status: 'done' }),
      expect.objectContaining({ action: 'guardduty:GetFindings', status: 'done' }),
      expect.objectContaining({ action: 'iam:GetUser', status: 'failed', error: { code: 'NoSuchEntity', message: 'The user with name deploy-bot cannot be found.', retryable: false } }),
      expect.objectContaining({ action: 'iam:ListAccountAliases', status: 'done' }),
    ]);
    expect(report.warnings).toEqual([
      'IAM user deploy-bot no longer exists (GetUser: NoSuchEntity): there is no key to deactivate and no user to attach the revoke policy to. Find out in CloudTrail who deleted it.',
    ]);
    expect(report.resource).toMatchObject({ userState: 'missing', keyStatus: null });
  });

  it('refuses to act when the user could not be read, since it could not be verified', async () => {
    iam.on(GetUserCommand).rejects(iamError('AccessDenied'));
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Active' }] });

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(report.blockedBy).toEqual(['principal-unreadable']);
    expect(report.guards.find((g) => g.id === 'principal-unreadable')!.reason).toBe(
      'IAM user deploy-bot could not be read (GetUser: AccessDenied), so it could not be verified; nothing is changed',
    );
    expect(stepOf(report, 'deactivate-access-key')).toMatchObject({ status: 'skipped', reason: 'blocked by principal-unreadable' });
    expect(stepOf(report, 'revoke-user-sessions')).toMatchObject({ status: 'skipped', reason: 'blocked by principal-unreadable' });
    expect(mutatingActionsReceived(iam, revokeCredentialsPlaybook.stepSpecs)).toEqual([]);
  });

  it("ignores the user's own exempt tag (a compromised user can tag itself): the key is deactivated all the same", async () => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }], { 'ir:exempt': 'break-glass' });
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(report.blockedBy).toEqual([]);
    expect(report.guards.find((g) => g.id === 'exempt-tag')).toEqual({
      id: 'exempt-tag',
      blocks: false,
      reason: 'the principal carries "ir:exempt" (value "break-glass"), but a principal\'s own tags never exempt it: list it in credentials.exemptPrincipals',
    });
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' }]);
    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
  });

  it('honours credentials.exemptPrincipals: the plan is shown, nothing is changed', async () => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }]);
    const exemptPrincipals = ['arn:aws:iam::*:user/deploy-*'];

    const report = await run(revokeFinding(USER_KEY_FINDING), { credentials: { exemptPrincipals } });

    expect(report.blockedBy).toEqual(['exempt-principal']);
    expect(report.guards.find((g) => g.id === 'exempt-principal')).toEqual({
      id: 'exempt-principal',
      blocks: true,
      reason: 'IAM user deploy-bot is exempt (credentials.exemptPrincipals: arn:aws:iam::*:user/deploy-*): the responder does not act on it',
    });
    expect(stepOf(report, 'deactivate-access-key')).toMatchObject({ status: 'skipped', reason: 'blocked by exempt-principal' });
    expect(stepOf(report, 'revoke-user-sessions')).toMatchObject({ status: 'skipped', reason: 'blocked by exempt-principal' });
    expect(mutatingActionsReceived(iam, revokeCredentialsPlaybook.stepSpecs)).toEqual([]);
  });

  it('never revokes a protected (break-glass) user: no deactivation, no revoke policy; the manual step instead', async () => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }]);
    const protectedPrincipals = ['arn:aws:iam::222222222222:user/Deploy-Bot'];

    const report = await run(revokeFinding(USER_KEY_FINDING), { credentials: { protectedPrincipals } });

    expect(report.blockedBy).toEqual(['protected-principal']);
    expect(statuses(report)).toEqual([...INVESTIGATED_KEY, ['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetUser', 'iam:ListAccessKeys', ...INVESTIGATION_IAM_CALLS]);
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(PutUserPolicyCommand, 0);
    expect(report.warnings).toEqual([
      'IAM user deploy-bot is a protected (break-glass) principal (credentials.protectedPrincipals: arn:aws:iam::222222222222:user/Deploy-Bot): ' +
        'the responder never deactivates its keys nor revokes its sessions. Instead, by hand: once the misuse is confirmed, deactivate the access key the finding names (if any), ' +
        'revoke its sessions (IAM console, "Revoke active sessions") and rotate its credentials.',
    ]);
  });

  it('still deactivates the key when the key list could not be read, and warns that its status was not checked', async () => {
    givenDeployBot([]);
    iam.on(ListAccessKeysCommand).rejects(iamError('Throttling', 'Rate exceeded'));
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(statuses(report)).toEqual([
      // The restore record first (no ledger here, so nothing is written: test/unit/ledger/restore-record-steps.test.ts has one).
      ['record-restore:credentials', 'done'],
      ['deactivate-access-key', 'done'],
      ['revoke-user-sessions', 'done'],
      ...INVESTIGATED_KEY,
      ['notify', 'skipped'], ['evidence', 'skipped'],
    ]);
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' });
    expect(report.warnings[0]).toContain('could not be listed (ListAccessKeys: Throttling)');
    expect(report.resource).toMatchObject({ keyStatus: null, otherKeys: null });
  });
});

describe('IAM user with a temporary key (ASIA)', () => {
  it('revokes the user sessions only, and says the long-term key that minted it must be found by hand', async () => {
    givenDeployBot([
      { accessKeyId: KEY, status: 'Active' },
      { accessKeyId: OTHER_KEY, status: 'Inactive' },
    ]);
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_TEMP_KEY_FINDING));

    expect(statuses(report)).toEqual([['record-restore:credentials', 'done'], ['revoke-user-sessions', 'done'], ...INVESTIGATED_TEMPORARY_KEY, ['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(stepOf(report, 'revoke-user-sessions').stage).toBe(1);
    expect(report.warnings[0]).toBe(
      'ASIA2EXAMPLETEMPKEY1 is a temporary key (from GetSessionToken or a console sign-in): it cannot be deactivated, so only the sessions of IAM user deploy-bot are revoked. ' +
        `The long-term key that minted it is unknown: find it in CloudTrail (the GetSessionToken call that returned ASIA2EXAMPLETEMPKEY1) and deactivate it by hand. Active keys of the user now: ${KEY} (Active).`,
    );
    expect(report.resource).toMatchObject({ keyKind: 'temporary', keyStatus: null, otherKeys: [{ accessKeyId: KEY, status: 'Active' }, { accessKeyId: OTHER_KEY, status: 'Inactive' }] });
  });
});

describe('roles', () => {
  it('revokes the sessions of the assumed role named by userName, and never touches a user or key', async () => {
    givenRole(iam, { roleName: 'etl-job', tags: { team: 'data' } });
    iam.on(PutRolePolicyCommand).resolves({});
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AssumedRole', principalId: 'AROA2EXAMPLEETL00001:etl-run-42' } });

    const report = await run(finding);

    expect(statuses(report)).toEqual([['record-restore:credentials', 'done'], ['revoke-role-sessions', 'done'], ...INVESTIGATED_TEMPORARY_KEY, ['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetRole', 'iam:PutRolePolicy', ...SERVICES_IAM_CALLS]);
    expect(iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: 'etl-job' });
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(stepOf(report, 'revoke-role-sessions')).toMatchObject({
      target: roleArn('etl-job'),
      parameters: { RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(PLANNED_AT) },
      stage: 1,
      detail: `AWSRevokeOlderSessions on role etl-job denies sessions issued before ${RUN_AT}`,
    });
    expect(report.guards.find((g) => g.id === 'protected-principal')).toEqual({
      id: 'protected-principal',
      blocks: false,
      reason: "role etl-job is neither service-linked, one of the responder's own roles, nor in credentials.protectedPrincipals",
    });
    expect(report.resource).toMatchObject({ principal: 'role', userType: 'AssumedRole', roleName: 'etl-job', sessionName: 'etl-run-42', path: '/' });
  });

  it('revokes the sessions of a role (userType Role)', async () => {
    givenRole(iam, { roleName: 'etl-job' });
    iam.on(PutRolePolicyCommand).resolves({});

    const report = await run(revokeFinding(ROLE_FINDING));

    expect(stepOf(report, 'revoke-role-sessions').status).toBe('done');
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, { RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) });
    expect(report.resource).toMatchObject({ userType: 'Role', instanceCredentials: false });
  });

  it('treats instance credentials used elsewhere as the instance role, whatever userType says', async () => {
    givenRole(iam, { roleName: 'web-tier-role' });
    iam.on(PutRolePolicyCommand).resolves({});
    const finding = revokeFinding(INSTANCE_CREDENTIALS_FINDING, { accessKeyDetails: { userType: 'IAMUser' } });

    const report = await run(finding);

    expect(iamActionsReceived(iam)).toEqual(['iam:GetRole', 'iam:PutRolePolicy', ...SERVICES_IAM_CALLS]);
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, { RoleName: 'web-tier-role', PolicyDocument: revokePolicy(RUN_AT) });
    expect(report.warnings).toContain(
      'credentials of an instance role were used from elsewhere: instance i-0a1b2c3d4e5f60718 may be compromised (consider the contain-instance playbook), ' +
        'and every other instance using role web-tier-role loses its credentials until they refresh.',
    );
    expect(report.resource).toMatchObject({ principal: 'role', userType: 'IAMUser', instanceCredentials: true, sessionName: 'i-0a1b2c3d4e5f60718' });
  });

  it('refuses a service-linked role (by its path): no revoking step, no mutating call, the manual step instead', async () => {
    givenRole(iam, { roleName: 'web-tier-role', path: '/aws-service-role/ecs.amazonaws.com/' });

    const report = await run(revokeFinding(INSTANCE_CREDENTIALS_FINDING));

    expect(report.blockedBy).toEqual(['protected-principal']);
    expect(report.guards.find((g) => g.id === 'protected-principal')!.reason).toBe(
      'role web-tier-role is service-linked (path /aws-service-role/ecs.amazonaws.com/): it belongs to an AWS service and is never changed',
    );
    expect(report.steps.map((s) => s.id)).not.toContain('revoke-role-sessions');
    expect(report.warnings).toContain(
      'role web-tier-role is service-linked (path /aws-service-role/ecs.amazonaws.com/): it belongs to an AWS service and is never changed. ' +
        'Instead, by hand: find in CloudTrail what used its credentials and contain that resource.',
    );
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
  });

  it('never revokes a protected (break-glass) role named in any case; the manual step instead', async () => {
    givenRole(iam, { roleName: 'etl-job' });

    const report = await run(revokeFinding(ROLE_FINDING, { accessKeyDetails: { userName: 'etl-job' } }), {
      credentials: { protectedPrincipals: ['arn:aws:iam::*:role/ETL-*'] },
    });

    expect(report.blockedBy).toEqual(['protected-principal']);
    expect(statuses(report)).toEqual([...INVESTIGATED_TEMPORARY_KEY, ['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetRole', ...SERVICES_IAM_CALLS]);
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
    expect(report.warnings[0]).toMatch(/^role etl-job is a protected \(break-glass\) principal \(credentials\.protectedPrincipals: arn:aws:iam::\*:role\/ETL-\*\)/);
  });

  it('refuses a role named like a service-linked role even when GetRole failed', async () => {
    iam.on(GetRoleCommand).rejects(iamError('Throttling', 'Rate exceeded'));
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userName: 'AWSServiceRoleForAutoScaling' } });

    const report = await run(finding);

    expect(report.guards.find((g) => g.id === 'protected-principal')).toEqual({
      id: 'protected-principal',
      blocks: true,
      reason: 'role AWSServiceRoleForAutoScaling is named like a service-linked role (AWSServiceRoleFor*): it is never changed',
    });
    expect(report.blockedBy).toEqual(['protected-principal', 'principal-unreadable']);
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
  });

  it("refuses the responder's own role and names it", async () => {
    givenRole(iam, { roleName: 'web-tier-role' });

    const report = await run(revokeFinding(INSTANCE_CREDENTIALS_FINDING), { protectedRoleNames: ['ir-contain-instance', 'web-tier-role'] });

    expect(report.blockedBy).toEqual(['protected-principal']);
    expect(report.guards.find((g) => g.id === 'protected-principal')!.reason).toBe(
      "role web-tier-role is one of the responder's own roles: revoking its sessions would stop the responder itself",
    );
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
  });

  it('changes nothing for a role that no longer exists, and says so', async () => {
    iam.on(GetRoleCommand).rejects(iamError('NoSuchEntity', 'The role with name etl-job cannot be found.'));

    const report = await run(revokeFinding(ROLE_FINDING));

    expect(statuses(report)).toEqual([
      ['investigate-key-events', 'done'],
      ['notify', 'skipped'], ['evidence', 'skipped'],
    ]);
    expect(report.warnings).toEqual([
      'IAM role etl-job no longer exists (GetRole: NoSuchEntity): there is no role to attach the revoke policy to. Find out in CloudTrail who deleted it.',
    ]);
    expect(report.blockedBy).toEqual([]);
  });
});

describe('principals the playbook does not act on', () => {
  it.each([
    ['Root', () => revokeFinding(ROOT_FINDING), 'root', 'delete every root access key'],
    ['Federated', () => revokeFinding(FEDERATED_FINDING), 'federated', 'revoke its sessions at the identity provider'],
    [
      'AWSService',
      () => revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AWSService', userName: 'ec2.amazonaws.com', principalId: 'ec2.amazonaws.com' } }),
      'aws-service',
      'there is no credential of it to revoke',
    ],
    ['an unknown userType', () => revokeFinding(ROLE_FINDING, { accessKeyDetails: { userType: 'AWSAccount' } }), 'unknown', 'userType "AWSAccount" is not one the playbook knows'],
    [
      'a placeholder userName',
      () => revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { userName: 'GeneratedFindingUserName' } }),
      'unknown',
      'placeholder of a GuardDuty sample finding',
    ],
  ])('%s: reads and changes nothing, and gives the manual steps', async (_name, finding, kind, manualStep) => {
    const report = await run(finding());

    expect(iamActionsReceived(iam)).toEqual([]);
    expect(cloudTrail.calls()).toHaveLength(0);
    expect(statuses(report)).toEqual([['notify', 'skipped'], ['evidence', 'skipped']]);
    expect(report.blockedBy).toEqual(['manual-response']);
    expect(report.resource).toMatchObject({ principal: kind });
    expect(report.warnings.join('\n')).toContain(manualStep);
  });

  it('Root: names the root access key the finding shows, when it is a long-term one', async () => {
    const report = await run(revokeFinding(ROOT_FINDING, { accessKeyDetails: { accessKeyId: 'AKIA2EXAMPLEROOTKEY1' } }));
    expect(report.warnings[1]).toContain('The finding names root access key AKIA2EXAMPLEROOTKEY1: delete it.');
  });

  it('Federated: names the role id of the federated session', async () => {
    const report = await run(revokeFinding(FEDERATED_FINDING));
    expect(report.warnings).toContain(
      'the role it assumed (role id AROA2EXAMPLEFED00001) is not named in the finding: find it in CloudTrail (AssumeRoleWithSAML / AssumeRoleWithWebIdentity) and use "Revoke active sessions" on it in the IAM console.',
    );
  });
});

describe('failures of the mutating calls', () => {
  const codes = [
    ['Throttling', true],
    ['AccessDenied', false],
    ['NoSuchEntity', false],
    ['LimitExceeded', false],
  ] as const;

  it.each(codes)('UpdateAccessKey fails with %s: the step fails with that code and the sessions are still revoked', async (code, retryable) => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }]);
    iam.on(UpdateAccessKeyCommand).rejects(iamError(code, `${code} from IAM`));
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, 'deactivate-access-key')).toMatchObject({ status: 'failed', error: { code, message: `${code} from IAM`, retryable } });
    expect(stepOf(report, 'revoke-user-sessions').status).toBe('done');
    expect(iam).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'deploy-bot', PolicyDocument: revokePolicy(RUN_AT) });
    // done: the restore record, the sessions and the three investigation steps; skipped: the notification (no topic) and the evidence (no bucket).
    expect(report.summary).toEqual({ done: 5, skipped: 2, failed: 1 });
  });

  it.each(codes)('PutUserPolicy fails with %s: the step fails with that code and the key is still deactivated', async (code, retryable) => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }]);
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).rejects(iamError(code, `${code} from IAM`));

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, 'revoke-user-sessions')).toMatchObject({ status: 'failed', error: { code, message: `${code} from IAM`, retryable } });
    expect(stepOf(report, 'deactivate-access-key').status).toBe('done');
  });

  it.each(codes)('PutRolePolicy fails with %s: the step fails with that code', async (code, retryable) => {
    givenRole(iam, { roleName: 'etl-job' });
    iam.on(PutRolePolicyCommand).rejects(iamError(code, `${code} from IAM`));

    const report = await run(revokeFinding(ROLE_FINDING));

    expect(stepOf(report, 'revoke-role-sessions')).toMatchObject({ status: 'failed', error: { code, retryable } });
    // done: the restore record, services accessed and CloudTrail events; skipped: last used (temporary key), the notification and the evidence.
    expect(report.summary).toEqual({ done: 3, skipped: 3, failed: 1 });
  });
});

describe('dry-run', () => {
  it.each(REVOKE_SCENARIOS.map((s) => [s.name, s] as const))('%s: reads, plans, and sends no mutating command', async (_name, scenario) => {
    scenario.arrange(iam);

    const report = await run(scenario.finding(), { dryRun: true });

    expect(report.dryRun).toBe(true);
    expect(report.blockedBy).toContain('dry-run');
    expect(mutatingActionsReceived(iam, revokeCredentialsPlaybook.stepSpecs)).toEqual([]);
    for (const step of report.steps.filter((s) => s.mutating)) {
      expect(step.status).toBe('skipped');
      expect(step.reason).toMatch(/^blocked by .*dry-run/);
    }
  });

  it('plans the same steps, with the same parameters, as the run that enforces', async () => {
    givenDeployBot([{ accessKeyId: KEY, status: 'Active' }]);
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const dry = await run(revokeFinding(USER_KEY_FINDING), { dryRun: true });
    const enforced = await run(revokeFinding(USER_KEY_FINDING));

    const planOf = (report: Report) => report.steps.map(({ id, action, target, parameters, stage }) => ({ id, action, target, parameters, stage }));
    expect(planOf(dry)).toEqual(planOf(enforced));
    expect(dry.steps.filter((s) => s.mutating).map((s) => s.id)).toEqual(['record-restore:credentials', 'deactivate-access-key', 'revoke-user-sessions']);
  });
});
