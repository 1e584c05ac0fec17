import { CreateAccountAliasCommand } from '@aws-sdk/client-iam';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { instanceFinding } from './support/findings';
import { readInbox, type Notification } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * The account's IAM alias in the notification (lambda/notify/account-alias.ts),
 * against the emulator: moto implements CreateAccountAlias and
 * ListAccountAliases. The alias is set in the seeded account; the subject
 * names it, the body shows it beside the id, and the read is in the report.
 */

const ALIAS = 'prod-web';
let account: EmulatedAccount;
let report: Report;
let inbox: Notification[];

beforeAll(async () => {
  account = await freshSeededAccount();
  const iam = await account.clients.load('iam');
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: ALIAS }));
  report = await runPlaybook(account, instanceFinding(account.seed, account.seed.instanceA));
  inbox = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
});

describe('an alias set in the finding’s account', () => {
  it('is read once, read-only, beside the other reads, and nothing fails', () => {
    expect(failedSteps(report)).toEqual([]);
    expect(report.reads.filter((r) => r.action === 'iam:ListAccountAliases').map((r) => [r.target, r.status, r.mutating])).toEqual([[report.accountId, 'done', false]]);
  });

  it('is named in the subject, and shown beside the id in the body', () => {
    expect(inbox).toHaveLength(1);
    const [notification] = inbox;
    expect(notification!.subject).toContain(` ${ALIAS}/us-east-1`);
    expect(notification!.message).toContain(`in ${ALIAS} (${report.accountId})/us-east-1`);
    expect(notification!.message).toContain(`Account: ${ALIAS} (${report.accountId}),`);
  });
});
