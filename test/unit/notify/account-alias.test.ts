import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { parseFindings } from '../../../lambda/finding/parse';
import { accountNameOf, isPlausibleAlias } from '../../../lambda/notify/account-alias';
import { buildNotificationDocument } from '../../../lambda/notify/document';
import { renderChat } from '../../../lambda/notify/chat';
import { renderEmail } from '../../../lambda/notify/message';
import { subjectOfDocument } from '../../../lambda/notify/subject';
import { loadFixture } from '../../support/fixtures';
import { planDocumentOf } from '../../support/plan-documents';

/*
 * The account's IAM alias in the notification (lambda/notify/account-alias.ts):
 * the exact request, the fallback to the id on any failure (the read
 * reported), the configured name first, and the alias always beside the id.
 */

const iam = mockClient(IAMClient);
const ACCOUNT = '222222222222';
const clients = () => createAwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }, EVERY_CLIENT);

beforeEach(() => {
  iam.reset();
});

describe('accountNameOf', () => {
  it('asks ListAccountAliases once, with no parameters, and returns the alias with its read done', async () => {
    iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['prod-web'] });
    const name = await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: clients() });
    expect(iam.commandCalls(ListAccountAliasesCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(name).toEqual({ alias: 'prod-web', read: expect.objectContaining({ action: 'iam:ListAccountAliases', target: ACCOUNT, status: 'done', mutating: false }) });
  });

  it('a failure leaves only the id, the read reported skipped with the AWS error code', async () => {
    iam.on(ListAccountAliasesCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied' }));
    const name = await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: clients() });
    expect(name.alias).toBeUndefined();
    // Skipped, not failed: a courtesy read never makes the response PARTIAL; the code is in the reason.
    expect(name.read).toMatchObject({ status: 'skipped', reason: 'not read (AccessDenied: not allowed): the account is named by its id' });
  });

  it('is bounded: no answer within the limit is a failure (AliasReadTimedOut), never a wait', async () => {
    iam.on(ListAccountAliasesCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const name = await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: clients(), limitMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(name.alias).toBeUndefined();
    expect(name.read).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^not read \(AliasReadTimedOut: /) });
  });

  it('the configured name wins: the alias is then not read at all', async () => {
    const name = await accountNameOf({ accountId: ACCOUNT, accountNames: { [ACCOUNT]: 'payments' }, clients: clients() });
    expect(name).toEqual({ configured: 'payments' });
    expect(iam.calls()).toHaveLength(0);
  });

  it('sends nothing without the account’s clients, or past the cut-off', async () => {
    expect(await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: undefined })).toEqual({});
    expect(await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: clients(), notAfterMs: Date.now() - 1 })).toEqual({});
    expect(iam.calls()).toHaveLength(0);
  });

  it('drops an alias that is not in IAM’s format or reads as an account id (the member account’s own text)', async () => {
    iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['111111111111'] });
    expect((await accountNameOf({ accountId: ACCOUNT, accountNames: {}, clients: clients() })).alias).toBeUndefined();
    for (const bad of ['111111111111', 'Prod', 'a--b', '-ab', 'ab', 'x\u202ey', 'a b', `a${'b'.repeat(63)}`]) expect([bad, isPlausibleAlias(bad)]).toEqual([bad, false]);
    for (const good of ['prod-web', 'abc', '1prod', 'a1-b2']) expect([good, isPlausibleAlias(good)]).toEqual([good, true]);
  });
});

describe('the notification with the alias', () => {
  const finding = parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'))[0]!;
  const plan = planDocumentOf(finding, 'contain-instance', [], { route: { ruleId: 'r', why: 'routed' } });

  const id = finding.accountId!;

  it('shows the alias with the id beside it, in the subject, the summary, the email and the chat', () => {
    const n = buildNotificationDocument(plan, [], { finding, iamAlias: 'prod-web' });
    expect(n.account).toEqual({ id, alias: 'prod-web', shown: `prod-web (${id})` });
    // The subject, short of room, names the alias alone; the body always has the id beside it.
    expect(subjectOfDocument(n)).toContain(' prod-web/us-east-1');
    expect(n.summary).toContain(`in prod-web (${id})/`);
    expect(renderEmail(n).message).toContain(`Account: prod-web (${id}),`);
    expect(JSON.stringify(renderChat(n))).toContain(`prod-web (${id})`);
  });

  it('the configured name wins over the alias', () => {
    const n = buildNotificationDocument(plan, [], { finding, accountAlias: 'payments', iamAlias: 'prod-web' });
    expect(n.account).toEqual({ id, alias: 'payments', shown: 'payments' });
    expect(JSON.stringify(renderEmail(n))).not.toContain('prod-web');
  });

  it('without it, the id alone; a failed alias read is listed with the failed reads', () => {
    const aliasRead = {
      id: `read:read-account-alias:${id}`,
      title: `Read the IAM alias of account ${id}`,
      action: 'iam:ListAccountAliases' as const,
      target: id,
      mutating: false,
      status: 'failed' as const,
      error: { code: 'AccessDenied', message: 'not allowed', retryable: false },
      durationMs: 3,
    };
    const n = buildNotificationDocument(plan, [], { finding, aliasRead });
    expect(n.account).toEqual({ id, shown: id });
    expect(n.summary).toContain(`in ${id}/`);
    expect(n.failedReads).toEqual([expect.objectContaining({ action: 'iam:ListAccountAliases', status: 'failed', note: 'AccessDenied: not allowed' })]);
  });
});
