import { GetRoleCommand, IAMClient, ListAccountAliasesCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { CALLER_OUTSIDE_ACCOUNT, PRINCIPAL_MISMATCH } from '../../../../lambda/guards/acting-principal';
import { MANUAL_RESPONSE } from '../../../../lambda/guards/manual-response';
import { formatNotification } from '../../../../lambda/notify/message';
import type { Report } from '../../../../lambda/plan/document';
import { callerAccountOf, uniqueIdInPrincipalId } from '../../../../lambda/playbooks/revoke-credentials/acting-principal';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { givenRole, givenUser, iamActionsReceived, iamError, mutatingActionsReceived } from '../../../support/aws-mocks/revoke-iam';
import { revokeFinding, USER_KEY_FINDING } from '../../../support/aws-mocks/revoke-findings';
import { givenQuietInvestigation } from '../../../support/aws-mocks/revoke-investigation';
import { revokeCredentialsPlaybook } from '../../../../lambda/playbooks/revoke-credentials/playbook';
import { loadFixture } from '../../../support/fixtures';

/*
 * revoke-credentials revokes the principal that ACTED, never one that only
 * shares its name: a caller of another account (remoteAccountDetails), or a
 * principal whose unique id is not the finding's principalId, is refused
 * with a manual plan, and no IAM write is sent.
 */

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const guardDuty = useGuardDuty();
const SHAPES = ['event', 'raw', 'get-findings'] as const;
const MUTATING = revokeCredentialsPlaybook.stepSpecs;

function fixture(stem: string, shape: (typeof SHAPES)[number]): Finding {
  return parseFindings(loadFixture(`revoke-credentials/${stem}.${shape}.json`))[0]!;
}

/** The reports-export S3 finding with remoteAccountDetails set to `remote` (undefined: left out). */
function s3FindingWithRemote(remote: unknown): Finding {
  const event = loadFixture('revoke-credentials/exfiltration-s3-assumed-role.event.json') as { detail: { service: { action: { awsApiCallAction: Record<string, unknown> } } } };
  event.detail.service.action.awsApiCallAction.remoteAccountDetails = remote;
  return parseFindings(event)[0]!;
}

function run(finding: Finding): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, { config: ENFORCE, clients, dryRun: false, responder: { protectedRoleNames: [] }, now: () => new Date('2026-11-22T10:00:00.000Z') });
}

const blockers = (report: Report) => report.guards.filter((g) => g.blocks).map((g) => g.id);
// The outcome and subject come from the blocking verdicts: no step outcome is needed.
const subjectOf = (report: Report) => formatNotification(report, []).subject;

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  givenQuietInvestigation(iam, cloudTrail);
  // Our own role of the caller's name: it must never be revoked by these findings.
  givenRole(iam, { roleName: 'reports-export' });
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(PutUserPolicyCommand).resolves({});
});

describe('a caller of another account (remoteAccountDetails)', () => {
  it.each(SHAPES)('S3 data read by a role of account 999999999999 named like ours (%s): nothing read, nothing revoked, the caller named', async (shape) => {
    const report = await run(fixture('exfiltration-s3-cross-account', shape));

    expect(blockers(report)).toEqual([CALLER_OUTSIDE_ACCOUNT, MANUAL_RESPONSE]);
    // Not even GetRole: the role of that name in our account is not the caller.
    expect(iamActionsReceived(iam)).toEqual([]);
    expect(report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(report.resource).toMatchObject({ principal: 'outside-account', callerAccountId: '999999999999', principalId: 'AROA9EXAMPLEREMOTE01:nightly-export' });
    expect(report.guards.find((g) => g.id === CALLER_OUTSIDE_ACCOUNT)?.reason).toBe(
      "the caller is of account 999999999999 (not affiliated with our GuardDuty environment), not of the finding's account 222222222222: " +
        "a principal of the same name in the finding's account is not the caller, so nothing is revoked",
    );
    expect(report.warnings[1]).toContain('the caller is AssumedRole reports-export of account 999999999999 (access key ASIA9EXAMPLEREMOTE01)');
    expect(report.warnings[2]).toContain('remove what grants account 999999999999 access');
    // The S3 activity is still recorded beside it.
    expect(report.warnings.at(-1)).toContain('GetObject (s3.amazonaws.com) on buckets example-customer-exports (Destination), example-finance-reports (Destination)');
    expect(subjectOf(report)).toMatch(/^\[GuardDuty IR NOT THE CALLER - MANUAL ACTION REQUIRED\] revoke-credentials: /);
  });

  it.each([
    ['another account, affiliated with ours', { accountId: '333333333333', affiliated: true }, 'the caller is of account 333333333333 (affiliated with our GuardDuty environment)'],
    ['our account, but not affiliated', { accountId: '222222222222', affiliated: false }, 'remoteAccountDetails names account 222222222222 but says it is not affiliated'],
    ['no account id', { affiliated: false }, "remoteAccountDetails names the caller's account as (not named), not an account id"],
    ['an account that is no account id', { accountId: '99999999999*', affiliated: false }, "names the caller's account as 99999999999*, not an account id"],
    ['details that do not parse', 'account 999999999999', 'remoteAccountDetails of the API call does not parse'],
  ])('refuses when remoteAccountDetails gives %s, and sends no IAM call', async (_, remote, why) => {
    const report = await run(s3FindingWithRemote(remote));
    expect(blockers(report)).toEqual([CALLER_OUTSIDE_ACCOUNT, MANUAL_RESPONSE]);
    expect(report.guards.find((g) => g.id === CALLER_OUTSIDE_ACCOUNT)?.reason).toContain(why);
    expect(iamActionsReceived(iam)).toEqual([]);
  });

  it('acts as before when remoteAccountDetails names our own account, affiliated (and the role id matches)', async () => {
    const report = await run(s3FindingWithRemote({ accountId: '222222222222', affiliated: true }));
    expect(blockers(report)).toEqual([]);
    expect(report.guards.find((g) => g.id === CALLER_OUTSIDE_ACCOUNT)).toEqual({
      id: CALLER_OUTSIDE_ACCOUNT,
      blocks: false,
      reason: "remoteAccountDetails names the finding's own account 222222222222",
    });
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual(['reports-export']);
  });
});

describe('a principal whose unique id is not the finding principalId', () => {
  it.each(SHAPES)('a role session of another role id (%s): GetRole only, no PutRolePolicy, both ids named', async (shape) => {
    const report = await run(fixture('exfiltration-s3-role-id-mismatch', shape));

    expect(blockers(report)).toEqual([PRINCIPAL_MISMATCH, MANUAL_RESPONSE]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetRole']);
    expect(iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: 'reports-export' });
    expect(mutatingActionsReceived(iam, MUTATING)).toEqual([]);
    // No step at all against the role (not even its investigation): the role read is not the caller.
    expect(report.steps.map((s) => s.id)).toEqual(['notify', 'evidence']);
    expect(report.guards.find((g) => g.id === PRINCIPAL_MISMATCH)?.reason).toBe(
      'principalId AROA9EXAMPLEOTHER001:nightly-export is not IAM role reports-export of account 222222222222 (its RoleId is AROA2EXAMPLEREPORT01): ' +
        'the caller is another principal of the same name (of another account, or one deleted and created again); the role of our account is not revoked',
    );
    expect(report.warnings[0]).toMatch(/^MANUAL: the finding's caller \(principalId AROA9EXAMPLEOTHER001:nightly-export\) is NOT IAM role reports-export/);
    expect(report.warnings[1]).toContain('the events made with access key ASIA2EXAMPLEMISMATCH name it in userIdentity');
    expect(subjectOf(report)).toMatch(/^\[GuardDuty IR NOT THE CALLER - MANUAL ACTION REQUIRED\] /);
  });

  it('an IAM user whose UserId is not the principalId: neither its key nor its sessions are touched', async () => {
    givenUser(iam, { userName: 'deploy-bot', keys: [{ accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' }] });
    const report = await run(revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { principalId: 'AIDA9EXAMPLEOTHER001' } }));

    expect(blockers(report)).toEqual([PRINCIPAL_MISMATCH, MANUAL_RESPONSE]);
    expect(iamActionsReceived(iam)).toEqual(['iam:GetUser', 'iam:ListAccessKeys']);
    expect(report.guards.find((g) => g.id === PRINCIPAL_MISMATCH)?.reason).toContain('(its UserId is AIDA2EXAMPLEUSER0001)');
  });

  it.each([
    ['no principalId', null, 'the finding gives no principalId for IAM user deploy-bot'],
    ['an empty principalId', '', 'the finding gives no principalId for IAM user deploy-bot'],
    ["a role's principalId on a user", 'AIDA2EXAMPLEUSER0001:session', 'principalId AIDA2EXAMPLEUSER0001:session is not IAM user deploy-bot'],
  ])('refuses an IAM user with %s (fail closed)', async (_, principalId, why) => {
    givenUser(iam, { userName: 'deploy-bot', keys: [{ accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' }] });
    const report = await run(revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { principalId } }));
    expect(blockers(report)).toEqual([PRINCIPAL_MISMATCH, MANUAL_RESPONSE]);
    expect(report.guards.find((g) => g.id === PRINCIPAL_MISMATCH)?.reason).toContain(why);
    expect(mutatingActionsReceived(iam, MUTATING)).toEqual([]);
  });

  it('refuses a role when IAM returns no RoleId', async () => {
    iam.on(GetRoleCommand, { RoleName: 'reports-export' }).resolves({ Role: { RoleName: 'reports-export', RoleId: undefined as unknown as string, Arn: 'arn:aws:iam::222222222222:role/reports-export', Path: '/', CreateDate: new Date(0) } });
    const report = await run(s3FindingWithRemote(undefined));
    expect(blockers(report)).toEqual([PRINCIPAL_MISMATCH, MANUAL_RESPONSE]);
    expect(report.guards.find((g) => g.id === PRINCIPAL_MISMATCH)?.reason).toContain('GetRole returned no RoleId for IAM role reports-export');
    expect(mutatingActionsReceived(iam, MUTATING)).toEqual([]);
  });

  it('passes, naming the id, when the role id is the one principalId names', async () => {
    const report = await run(s3FindingWithRemote(undefined));
    expect(report.guards.find((g) => g.id === PRINCIPAL_MISMATCH)).toEqual({
      id: PRINCIPAL_MISMATCH,
      blocks: false,
      reason: 'IAM role reports-export is the caller: its RoleId AROA2EXAMPLEREPORT01 is the one principalId names',
    });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });
});

describe('uniqueIdInPrincipalId and callerAccountOf', () => {
  it.each([
    ['user', 'AIDA2EXAMPLEUSER0001', 'AIDA2EXAMPLEUSER0001'],
    ['user', 'AIDA2EXAMPLEUSER0001:x', 'AIDA2EXAMPLEUSER0001:x'],
    ['role', 'AROA2EXAMPLEROLE0001:i-0a1b2c3d4e5f60718', 'AROA2EXAMPLEROLE0001'],
    ['role', 'AROA2EXAMPLEETL00001', 'AROA2EXAMPLEETL00001'],
    ['role', ':session', null],
    ['role', null, null],
  ] as const)('%s %s -> %s', (kind, principalId, expected) => {
    expect(uniqueIdInPrincipalId(kind, principalId)).toBe(expected);
  });

  it('a finding with no remoteAccountDetails is of its own account as far as GuardDuty says', () => {
    expect(callerAccountOf(s3FindingWithRemote(undefined))).toEqual({ kind: 'own' });
    expect(callerAccountOf(s3FindingWithRemote(null))).toEqual({ kind: 'own' });
  });
});
