import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccountAliasesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { REVOKE_CREDENTIALS_STEP_SPECS } from '../../../../lambda/playbooks/revoke-credentials/specs';
import { respond } from '../../../../lambda/respond/respond';
import { effectiveRoutingTable } from '../../../../lambda/routing/overrides';
import { routeFinding } from '../../../../lambda/routing/route';
import { loadFixture } from '../../../support/fixtures';
import { givenRole, givenUser, iamActionsReceived, iamError, mutatingActionsReceived, roleArn, userArn } from '../../../support/aws-mocks/revoke-iam';
import { givenQuietInvestigation } from '../../../support/aws-mocks/revoke-investigation';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';

/*
 * revoke-credentials for every principal type a credential finding names
 * (resource.accessKeyDetails.userType), and for S3 data findings made by a
 * principal: the exact requests sent, what is never sent, and what the
 * report and the notification say.
 */

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();

const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const PLANNED_AT = '2026-11-22T10:00:00.000Z';
const RUN_AT = '2026-11-22T10:00:07.000Z';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';
const SSO_ROLE = 'AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6071';

function clock(): () => Date {
  let calls = 0;
  return () => new Date(calls++ === 0 ? PLANNED_AT : RUN_AT);
}

function revokePolicy(issuedBefore: string): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"${issuedBefore}"}}}]}`;
}

function fixture(file: string): Finding {
  return parseFindings(loadFixture(`revoke-credentials/${file}`))[0]!;
}

function run(finding: Finding): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, { config: ENFORCE, clients, dryRun: false, topicArn: TOPIC, responder: { protectedRoleNames: [] }, now: clock() });
}

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return step;
}

const statuses = (report: Report) => report.steps.map((s) => [s.id, s.status]);
const mutations = () => mutatingActionsReceived(iam, REVOKE_CREDENTIALS_STEP_SPECS);
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const INVESTIGATED_TEMPORARY_KEY = [
  ['investigate-key-last-used', 'skipped'],
  ['investigate-services-accessed', 'done'],
  ['investigate-key-events', 'done'],
];

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  givenQuietInvestigation(iam, cloudTrail);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('AssumedRole: the role session', () => {
  it("revokes the role's older sessions with PutRolePolicy, the session name kept in the report", async () => {
    givenRole(iam, { roleName: 'ci-build' });
    iam.on(PutRolePolicyCommand).resolves({});

    const report = await run(fixture('credential-access-assumed-role.event.json'));

    expect(report.blockedBy).toEqual([]);
    expect(statuses(report)).toEqual([['record-restore:credentials', 'done'], ['revoke-role-sessions', 'done'], ...INVESTIGATED_TEMPORARY_KEY, ['notify', 'done'], ['evidence', 'skipped']]);
    expect(iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: 'ci-build' });
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'ci-build', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(mutations()).toEqual(['iam:PutRolePolicy']);
    expect(report.resource).toMatchObject({ principal: 'role', userType: 'AssumedRole', roleName: 'ci-build', sessionName: 'build-4711', arn: roleArn('ci-build') });
    expect(published()[0]!.Subject).toMatch(/^\[GuardDuty IR DONE\] revoke-credentials: /);
  });
});

describe('IAM Identity Center permission-set role (AWSReservedSSO_*)', () => {
  it('changes nothing (IAM refuses PutRolePolicy on it): MANUAL, with the exact Identity Center steps, and the investigation still runs', async () => {
    givenRole(iam, { roleName: SSO_ROLE, path: SSO_PATH });

    const report = await run(fixture('identity-center-role.event.json'));

    expect(report.blockedBy).toEqual(['manual-response']);
    expect(report.guards.find((g) => g.id === 'manual-response')!.reason).toBe(
      `IAM role ${SSO_ROLE} is an IAM Identity Center permission-set role (path ${SSO_PATH}), which IAM lets only AWS modify: ` +
        'the responder does not revoke these credentials itself; see the warnings for the manual steps',
    );
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
    expect(mutations()).toEqual([]);
    expect(statuses(report)).toEqual([...INVESTIGATED_TEMPORARY_KEY, ['notify', 'done'], ['evidence', 'skipped']]);
    expect(report.resource).toMatchObject({ principal: 'role', roleName: SSO_ROLE, sessionName: 'alice@example.com', identityCenter: { permissionSet: 'AdministratorAccess', userName: 'alice@example.com' } });
    expect(report.warnings).toEqual([
      'MANUAL: revoke the IAM Identity Center sessions of Identity Center user alice@example.com in the console: IAM Identity Center (management account or delegated ' +
        'administrator) > Users > alice@example.com > Active sessions > select every session > Delete session. This signs the user out of the AWS access portal so it ' +
        "gets no new credentials; it does not end the role credentials already issued (they last up to the permission set's session duration, at most 12 hours).",
      `MANUAL: end the credentials already issued. IAM refuses any change to ${SSO_ROLE} (UnmodifiableEntity), so the responder cannot revoke its sessions: ` +
        'in IAM Identity Center > Permission sets > AdministratorAccess > Inline policy, add the statement ' +
        `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":"*:alice@example.com"},"DateLessThan":{"aws:TokenIssueTime":"${PLANNED_AT}"}}}, ` +
        'save, and update the permission set in every account it is provisioned to (or attach the same statement as a service control policy, for the whole organization ' +
        'at once). Remove it once the user is safe again.',
      'MANUAL: if the identity itself is compromised, disable Identity Center user alice@example.com (Users > alice@example.com > Disable user access) or reset its ' +
        'password and MFA, and review the other accounts and permission sets it is assigned.',
    ]);
    const [email] = published();
    expect(email!.Subject).toMatch(/^\[GuardDuty IR MANUAL ACTION REQUIRED\] revoke-credentials: HIGH 8\.0 /);
    expect(email!.Message).toContain('MANUAL ACTION REQUIRED: the responder changed nothing and never will for this principal.');
    expect(email!.Message).toContain('Active sessions > select every session > Delete session');
  });

  it('answers a look-alike name outside /aws-reserved/sso.amazonaws.com/ as an ordinary role', async () => {
    givenRole(iam, { roleName: SSO_ROLE, path: '/' });
    iam.on(PutRolePolicyCommand).resolves({});

    const report = await run(fixture('identity-center-role.event.json'));

    expect(report.blockedBy).toEqual([]);
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: SSO_ROLE, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(report.warnings[0]).toBe(
      `IAM role ${SSO_ROLE} is named like an IAM Identity Center role, but its path is /, not ${SSO_PATH}: it is answered as an ordinary role.`,
    );
  });

  it('stays manual when the role could not be read (its name decides, the unreadable verdict blocks too)', async () => {
    iam.on(GetRoleCommand, { RoleName: SSO_ROLE }).rejects(iamError('AccessDenied'));

    const report = await run(fixture('identity-center-role.event.json'));

    expect(report.blockedBy).toEqual(expect.arrayContaining(['manual-response', 'principal-unreadable']));
    expect(mutations()).toEqual([]);
  });
});

describe('FederatedUser: a GetFederationToken session', () => {
  it('revokes the older sessions of the IAM user the finding names as its issuer, never a key or a role', async () => {
    givenUser(iam, { userName: 'partner-broker', keys: [] });
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(fixture('federated-user-named-issuer.event.json'));

    expect(report.blockedBy).toEqual([]);
    expect(statuses(report)).toEqual([['record-restore:credentials', 'done'], ['revoke-user-sessions', 'done'], ...INVESTIGATED_TEMPORARY_KEY, ['notify', 'done'], ['evidence', 'skipped']]);
    expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'partner-broker' });
    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'partner-broker', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(mutations()).toEqual(['iam:PutUserPolicy']);
    expect(iamActionsReceived(iam)).not.toContain('iam:ListAccessKeys');
    expect(stepOf(report, 'revoke-user-sessions').target).toBe(userArn('partner-broker'));
    expect(stepOf(report, 'revoke-user-sessions').why).toContain("AWS applies the issuing user's policies to its federated sessions");
    expect(report.resource).toEqual({
      principal: 'federated-user',
      userType: 'FederatedUser',
      issuerUserName: 'partner-broker',
      federatedName: 'partner-session',
      principalId: '222222222222:partner-session',
      accessKeyId: 'ASIA2EXAMPLEFEDTOKEN',
      userState: 'found',
      arn: userArn('partner-broker'),
      path: '/',
    });
    expect(report.warnings[0]).toContain('a federated session cannot be revoked on its own, so every session IAM user partner-broker issued before the revocation stops working');
  });

  it('changes nothing when the issuing user is gone', async () => {
    iam.on(GetUserCommand, { UserName: 'partner-broker' }).rejects(new NoSuchEntityException({ message: 'The user with name partner-broker cannot be found.', $metadata: {} }));

    const report = await run(fixture('federated-user-named-issuer.event.json'));

    expect(mutations()).toEqual([]);
    expect(report.warnings[0]).toMatch(/^IAM user partner-broker, which the finding names as the issuer of the federated session, no longer exists \(GetUser: NoSuchEntity/);
  });

  it('is manual when userName is only the caller-chosen session name: acting on it would let the caller pick the victim', async () => {
    const report = await run(fixture('federated-user-unnamed-issuer.raw.json'));

    expect(report.blockedBy).toEqual(['manual-response']);
    expect(iamActionsReceived(iam)).toEqual([]);
    expect(iam).toHaveReceivedCommandTimes(GetUserCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetRoleCommand, 0);
    expect(report.warnings[0]).toBe(
      'MANUAL: userType is FederatedUser and userName "admin" is the session\'s own, caller-chosen name, not the IAM user that issued it. ' +
        "A session from sts:GetFederationToken is revoked only by denying the IAM user that called GetFederationToken (AWS applies that user's policies to every " +
        'request of the session), and the finding does not name it, so the responder revokes nothing.',
    );
    expect(report.warnings[1]).toContain(`aws iam put-user-policy --user-name <that user> --policy-name AWSRevokeOlderSessions --policy-document '${revokePolicy(PLANNED_AT)}'`);
  });
});

describe('Root: never automated', () => {
  it('reads and changes nothing in IAM, and says MANUAL loudly in the subject, the lead and the steps', async () => {
    const finding = parseFindings(loadFixture('revoke-credentials/root-console.get-findings.json'))[0]!;

    const report = await run(finding);

    expect(report.blockedBy).toEqual(['manual-response']);
    expect(iamActionsReceived(iam)).toEqual([]);
    expect(iam).toHaveReceivedCommandTimes(GetUserCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetRoleCommand, 0);
    expect(report.steps.filter((s) => s.mutating && s.id !== 'notify').map((s) => s.id)).toEqual([]);
    expect(report.warnings[0]).toBe(
      'MANUAL, ROOT USER: the root user of account 222222222222 was used. The responder never acts on root (IAM policies cannot restrict it), so every step is yours, now.',
    );
    expect(report.warnings[1]).toContain('aws sts assume-root --target-principal 222222222222 --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials');
    expect(report.warnings[3]).toBe(
      'MANUAL: review what the root user did: aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root ' +
        '--start-time 2026-11-21T10:00:00.000Z --region us-east-1 (and in every other region), and undo what is not yours.',
    );
    const [email] = published();
    expect(email!.Subject).toMatch(/^\[GuardDuty IR MANUAL ACTION REQUIRED\] revoke-credentials: HIGH 8\.0 /);
    expect(email!.Message).toContain('NOT changed: MANUAL ACTION REQUIRED (the steps are below)');
    expect(email!.Message).toContain('MANUAL, ROOT USER');
    expect(email!.Message).toContain('MANUAL ACTION REQUIRED: do every step marked MANUAL in the warnings, now');
  });
});

describe('S3 data findings made by a principal', () => {
  const table = effectiveRoutingTable();

  it.each([
    'exfiltration-s3-assumed-role.event.json',
    'impact-s3-permission-user.get-findings.json',
    'unauthorized-s3-tor-sso.raw.json',
    'pentest-s3-kali-federated.event.json',
    'impact-s3-root.event.json',
    'impact-s3-anomalous-delete.event.json',
    'discovery-s3-malicious-caller.raw.json',
    'pentest-s3-parrot.raw.json',
  ])('%s routes to revoke-credentials by the S3 rule', (file) => {
    expect(routeFinding(fixture(file), table)).toMatchObject({ playbook: 'revoke-credentials', ruleId: 's3-data-by-principal' });
  });

  it('revoke the acting role exactly as a credential finding does, and record the buckets and the API call', async () => {
    givenRole(iam, { roleName: 'reports-export' });
    iam.on(PutRolePolicyCommand).resolves({});

    const report = await run(fixture('exfiltration-s3-assumed-role.event.json'));

    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'reports-export', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(mutations()).toEqual(['iam:PutRolePolicy']);
    expect(report.resource).toMatchObject({ principal: 'role', roleName: 'reports-export' });
    expect(report.resource.s3Activity).toEqual({
      buckets: [
        { name: 'example-customer-exports', arn: 'arn:aws:s3:::example-customer-exports', type: 'Destination' },
        { name: 'example-finance-reports', arn: 'arn:aws:s3:::example-finance-reports', type: 'Destination' },
      ],
      api: 'GetObject',
      serviceName: 's3.amazonaws.com',
      errorCode: null,
      affectedResources: { 'AWS::S3::Bucket': 'example-customer-exports' },
    });
    const said =
      'S3 data activity by this principal: GetObject (s3.amazonaws.com) on buckets example-customer-exports (Destination), example-finance-reports (Destination); ' +
      "affected resources: AWS::S3::Bucket example-customer-exports. The buckets are not changed: review the principal's S3 data events in CloudTrail for what " +
      'was read, written or deleted, and restore from object versions or backups.';
    expect(report.warnings.at(-1)).toBe(said);
    expect(published()[0]!.Message).toContain('GetObject (s3.amazonaws.com) on buckets example-customer-exports (Destination), example-finance-reports (Destination)');
  });

  it('deactivate the named long-term key of a user, from get-findings output (its AWS::S3::Bucket key kept as AWS writes it)', async () => {
    givenUser(iam, { userName: 'deploy-bot', keys: [{ accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' }] });
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(fixture('impact-s3-permission-user.get-findings.json'));

    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', AccessKeyId: 'AKIA2EXAMPLEKEY00001', Status: 'Inactive' }]);
    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokePolicy(RUN_AT) },
    ]);
    expect(report.resource.s3Activity).toMatchObject({ api: 'PutBucketPolicy', affectedResources: { 'AWS::S3::Bucket': 'example-audit-archive' } });
  });

  it('of an Identity Center role are manual, with the S3 activity still recorded', async () => {
    givenRole(iam, { roleName: 'AWSReservedSSO_DataReader_1a2b3c4d5e6f7081', path: SSO_PATH });

    const report = await run(fixture('unauthorized-s3-tor-sso.raw.json'));

    expect(report.blockedBy).toEqual(['manual-response']);
    expect(mutations()).toEqual([]);
    expect(report.resource.s3Activity).toMatchObject({ api: 'GetObject', errorCode: 'AccessDenied', buckets: [{ name: 'example-customer-exports' }] });
    expect(report.warnings.at(-1)).toContain('GetObject (s3.amazonaws.com), answered AccessDenied, on bucket example-customer-exports (Destination)');
  });
});
