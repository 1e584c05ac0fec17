import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { accessKeyRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseAccessKey, type KeyReleaseReport } from '../../lambda/release/access-key';
import { respond } from '../../lambda/respond/respond';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { userKeyFinding } from './support/findings';
import { createLedgerTable, LEDGER_TABLE } from './support/handler-bench';
import { accessKeyStatuses, userRevokePolicy } from './support/iam-state';
import { readInbox } from './support/inbox';
import { ENFORCE_CONFIG, RESPONDER } from './support/run-playbook';

/*
 * revoke-credentials with the ledger, against the emulator's IAM and
 * DynamoDB: the key's status (Active) and the user's revoke policy (none)
 * are recorded before the key is deactivated; `ir release --access-key`
 * reactivates the key and removes the responder's AWSRevokeOlderSessions,
 * records the release and tells the team. moto stores IAM policies but never
 * evaluates them: what is checked is the key's status and the policy's presence.
 */

const TABLE = LEDGER_TABLE;

let account: EmulatedAccount;
let dynamodb: DynamoDBClient;
let revoked: Report;
let released: KeyReleaseReport;
let stolen: string;

beforeAll(async () => {
  account = await freshSeededAccount();
  dynamodb = await createLedgerTable(account);
  [stolen] = account.seed.identities.user.accessKeyIds;
  revoked = await respond(userKeyFinding(account.seed, stolen), {
    config: ENFORCE_CONFIG,
    clients: account.clients,
    dryRun: false,
    topicArn: account.seed.notifications.topicArn,
    responder: RESPONDER,
    restoreLedger: new RestoreLedger(dynamodb, TABLE),
  });
  await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
});

describe('revoke-credentials with the ledger', () => {
  it('records the key as Active and no revoke policy before, then deactivates the key and revokes the sessions', async () => {
    const { userName } = account.seed.identities.user;
    expect(revoked.steps.filter((s) => s.mutating).map((s) => [s.id, s.status])).toEqual([
      ['record-restore:credentials', 'done'],
      ['deactivate-access-key', 'done'],
      ['revoke-user-sessions', 'done'],
      // On by default, not tried on the emulator (no BatchUpdateFindings): not available in the local emulator.
      ['securityhub:note', 'skipped'],
    ]);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: accessKeyRestoreKey(account.seed.accountId, stolen) } } }));
    expect(Item?.accessKey).toEqual({ M: { userName: { S: userName }, status: { S: 'Active' } } });
    expect(Item?.[`sessionPolicy:user:${userName}`]).toEqual({ M: { previousDocument: { NULL: true } } });
    expect((await accessKeyStatuses(account.clients.iam, userName))[stolen]).toBe('Inactive');
    expect(await userRevokePolicy(account.clients.iam, userName)).not.toBeNull();
  });
});

describe('ir release --access-key', () => {
  beforeAll(async () => {
    released = await releaseAccessKey(stolen, {
      clients: account.clients,
      ledger: new RestoreLedger(dynamodb, TABLE),
      dryRun: false,
      notify: { sns: account.clients.sns, topicArn: account.seed.notifications.topicArn },
    });
  });

  it('reactivates the key and removes the responder\'s revoke policy; the other key is untouched', async () => {
    const { userName, accessKeyIds } = account.seed.identities.user;
    expect(released.refused).toBeNull();
    expect(released.steps.map((s) => [s.id, s.status])).toEqual([
      ['reactivate-access-key', 'done'],
      [`remove-session-policy:user:${userName}`, 'done'],
    ]);
    expect(await accessKeyStatuses(account.clients.iam, userName)).toEqual({ [accessKeyIds[0]]: 'Active', [accessKeyIds[1]]: 'Active' });
    expect(await userRevokePolicy(account.clients.iam, userName)).toBeNull();
  });

  it('records the release in the ledger, closed, and tells the team', async () => {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: accessKeyRestoreKey(account.seed.accountId, stolen) } }, ConsistentRead: true }));
    expect(Item?.closedAt?.S).toEqual(expect.any(String));
    expect(released.ledger).toMatchObject({ status: 'recorded', closed: true });
    const inbox = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
    expect(inbox.map((n) => n.subject)).toEqual([`[GuardDuty IR] Released: access key ${stolen}`]);
  });

  it('a second release is refused', async () => {
    const again = await releaseAccessKey(stolen, { clients: account.clients, ledger: new RestoreLedger(dynamodb, TABLE), dryRun: false });
    expect(again.refused).toMatch(/was released at .*: nothing to release, nothing was changed$/);
  });
});
