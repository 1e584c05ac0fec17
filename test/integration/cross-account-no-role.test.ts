import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { AccountAccess } from '../../lambda/aws/account-access';
import type { Finding } from '../../lambda/finding/schema';
import { severityOf } from '../../lambda/notify/severity';
import type { Report } from '../../lambda/plan/document';
import { required } from '../../emulator/seed/util';
import { describeAccountState, type AccountState } from './support/account-state';
import { instanceFinding } from './support/findings';
import { readInbox, type Notification } from './support/inbox';
import { disableIamAuthentication, enableIamAuthentication } from './support/moto-iam-auth';
import { freshTwoAccounts, MEMBER_ACCOUNT, respondAsSecurityAccount, securityAccess, type TwoAccounts } from './support/two-accounts';

/*
 * A finding of an account where the member stack was never deployed. In
 * AWS, assuming a role that does not exist is refused with AccessDenied.
 * moto does not model that (it hands out credentials for any role ARN,
 * existing or not, and never reads trust policies of other accounts), so
 * this test turns moto's IAM checks on and runs the responder as a
 * security-account principal allowed to assume the member role only where
 * it is deployed (the member account): AssumeRole into the other account is
 * refused with the same AccessDenied code AWS sends for a missing role.
 */

const UNMANAGED_ACCOUNT = '345678901234';
const ROLE_ARN = `arn:aws:iam::${UNMANAGED_ACCOUNT}:role/IncidentResponseMemberRole`;

let accounts: TwoAccounts;
let access: AccountAccess;
let securityBefore: AccountState;
let finding: Finding;
let report: Report;
let inbox: Notification[];

/** The playbook's principal in the security account, allowed what the deployed playbook role is, for the accounts that have the member role. */
async function responderPrincipal(): Promise<AwsCredentialIdentity> {
  const { iam } = accounts.security.clients;
  await iam.send(new CreateUserCommand({ UserName: 'ir-responder' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ir-responder',
      PolicyName: 'playbook',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/IncidentResponseMemberRole` },
          // moto authorises SNS calls against Resource "*", not the topic ARN.
          { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' },
        ],
      }),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ir-responder' }));
  return { accessKeyId: required(AccessKey?.AccessKeyId, 'access key id'), secretAccessKey: required(AccessKey?.SecretAccessKey, 'secret') };
}

beforeAll(async () => {
  accounts = await freshTwoAccounts();
  access = securityAccess(accounts.endpoint, await responderPrincipal());
  securityBefore = await describeAccountState(accounts.security.clients);
  finding = { ...instanceFinding(accounts.security.seed, accounts.security.seed.instanceA), accountId: UNMANAGED_ACCOUNT };
  await enableIamAuthentication(accounts.endpoint);
  try {
    report = await respondAsSecurityAccount(finding, { access, topicArn: accounts.security.seed.notifications.topicArn });
    // The same principal still reaches the account that has the role: the refusal is about the account, not the setup.
    await access.clientsIn({ accountId: MEMBER_ACCOUNT, region: 'us-east-1', sessionName: 'ir-check' });
  } finally {
    await disableIamAuthentication(accounts.endpoint);
  }
  inbox = await readInbox(accounts.security.sqs, accounts.security.seed.notifications.inboxQueueUrl);
});

afterAll(async () => {
  await disableIamAuthentication(accounts.endpoint);
});

describe('a finding of an account without the member role', () => {
  it('reports the failed AssumeRole, naming the role and the account, with the code AWS sends', () => {
    expect(report.reads).toEqual([
      expect.objectContaining({
        id: `read:assume-role:${UNMANAGED_ACCOUNT}`,
        action: 'sts:AssumeRole',
        target: ROLE_ARN,
        status: 'failed',
        error: expect.objectContaining({ code: 'AccessDenied', message: expect.stringMatching(new RegExp(`^cannot assume role ${ROLE_ARN} in account ${UNMANAGED_ACCOUNT}: `)) }),
      }),
    ]);
  });

  it('blocks every change and makes none, planning from the finding alone', () => {
    expect(report.blockedBy).toEqual(['no-account-access']);
    expect(report.offline).toBe(true);
    const mutating = report.steps.filter((s) => s.mutating);
    expect(mutating.length).toBeGreaterThan(0);
    expect(mutating.map((s) => s.status)).toEqual(mutating.map(() => 'skipped'));
  });

  it("notifies the security team in the security account's inbox, with the failed read and why nothing was done", () => {
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'done' });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.subject.startsWith(`[GuardDuty IR PLAN ONLY] contain-instance: ${severityOf(finding.severity).text} ${finding.resource!.instanceDetails!.instanceId!}`)).toBe(true);
    expect(inbox[0]!.message).toContain(`  Account: ${UNMANAGED_ACCOUNT}, region us-east-1`);
    expect(inbox[0]!.message).toContain(`  - no-account-access: role ${ROLE_ARN} could not be assumed in account ${UNMANAGED_ACCOUNT} (AccessDenied)`);
    expect(inbox[0]!.message).toContain(`FAILED  Assume IncidentResponseMemberRole in account ${UNMANAGED_ACCOUNT} [sts:AssumeRole on ${ROLE_ARN}] -- AccessDenied`);
  });

  it('changes nothing in the security account', async () => {
    expect(await describeAccountState(accounts.security.clients)).toEqual(securityBefore);
  });
});
