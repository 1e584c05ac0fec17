import { DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { resourceKey } from '../../../lambda/ledger/resource-incidents';
import { DeleteRolePolicyCommand, DeleteUserPolicyCommand, GetRolePolicyCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { revokeOlderSessionsPolicy } from '../../../lambda/iam/revoke-sessions';
import { PendingApprovals } from '../../../lambda/approval/pending';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { isResponderRevokePolicy, keyReleaseFailed, releaseAccessKey, type KeyReleaseReport } from '../../../lambda/release/access-key';
import { iamError } from '../../support/aws-mocks/revoke-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/*
 * `ir release --access-key`: from the ledger's restore record only. The key
 * goes back to Active only if it was Active before; the revoke policy goes
 * only where the principal had none before, and only while it is still the
 * responder's.
 */

const ACCOUNT = '222222222222';
const KEY_ID = 'AKIA2EXAMPLEKEY00001';
const KEY = `restore#${ACCOUNT}#${KEY_ID}`;
const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:999988887777:guardduty-ir';
const NOW = new Date('2026-11-23T10:00:00.000Z');
const iam = mockClient(IAMClient);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);

function record(status: string, previousDocument: string | null, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: { S: KEY },
    kind: { S: 'access-key' },
    revision: { N: '1' },
    accessKey: { M: { userName: { S: 'deploy-bot' }, status: { S: status } } },
    'sessionPolicy:user:deploy-bot': { M: { previousDocument: previousDocument === null ? { NULL: true } : { S: previousDocument } } },
    ...extra,
  };
}

let item: Record<string, AttributeValue> | undefined;

beforeEach(() => {
  for (const mock of [iam, dynamodb, sts, sns]) mock.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  item = record('Active', null);
  dynamodb.on(GetItemCommand).callsFake(() => ({ Item: item }));
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(ScanCommand).resolves({ Items: [] });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Inactive', UserName: 'deploy-bot' }] });
  iam.on(GetUserPolicyCommand).resolves({ UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: encodeURIComponent(revokeOlderSessionsPolicy(NOW)) });
  iam.on(UpdateAccessKeyCommand).resolves({});
  iam.on(DeleteUserPolicyCommand).resolves({});
});
afterAll(() => [iam, dynamodb, sts, sns].forEach((mock) => mock.restore()));

function release(dryRun = false): Promise<KeyReleaseReport> {
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  return releaseAccessKey(KEY_ID, { clients, ledger: new RestoreLedger(clients.dynamodb, TABLE, () => NOW), dryRun, notify: { sns: clients.sns, topicArn: TOPIC }, now: () => NOW });
}

describe('ir release --access-key', () => {
  it('refuses, changing nothing, while the revocation waits for a decision: it was never made', async () => {
    item = record('Active', null, { incidentId: { S: 'inc-9' } });
    const pending: Record<string, AttributeValue> = {
      pk: { S: 'approval#inc-9' },
      status: { S: 'pending' },
      planHash: { S: 'abc123' },
      plan: { S: '[]' },
      findingId: { S: 'f-9' },
      playbook: { S: 'revoke-credentials' },
      accountId: { S: ACCOUNT },
      region: { S: 'us-east-1' },
      requestedAt: { S: NOW.toISOString() },
      deadline: { S: '2026-11-23T11:00:00.000Z' },
      onTimeout: { S: 'stand-down' },
      state: { S: '{}' },
    };
    dynamodb.on(GetItemCommand).callsFake((input: { Key: { pk: { S: string } } }) => ({ Item: input.Key.pk.S === 'approval#inc-9' ? pending : item }));
    const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
    const report = await releaseAccessKey(KEY_ID, { clients, ledger: new RestoreLedger(clients.dynamodb, TABLE, () => NOW), approvals: new PendingApprovals(clients.dynamodb, TABLE), dryRun: false, notify: { sns: clients.sns, topicArn: TOPIC }, now: () => NOW });
    expect(report.refused).toMatch(/^incident inc-9 awaits a decision on its changes \(plan abc123, until 2026-11-23T11:00:00.000Z, then stand-down\).*nothing was changed/);
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input.Key)).toEqual([{ pk: { S: KEY } }, { pk: { S: 'approval#inc-9' } }]);
    expect(report.steps).toEqual([]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
  });

  it('reactivates a key that was Active, removes the responder\'s revoke policy, records the release and notifies', async () => {
    const report = await release();
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input.Key).toEqual({ pk: { S: KEY } });
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: 'Active' }]);
    expect(iam.commandCalls(DeleteUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions' }]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ['reactivate-access-key', 'done'],
      ['remove-session-policy:user:deploy-bot', 'done'],
    ]);
    const write = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(write.ConditionExpression).toBe('revision = :revision AND attribute_not_exists(closedAt)');
    expect(write.UpdateExpression).toContain('closedAt = :at');
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: true, incident: { status: 'none' } });
    // The key's incident is looked for by its resource pointer (here the ledger holds none), to be closed with the release.
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input.Key)).toContainEqual(resourceKey(`access-key/${ACCOUNT}/${KEY_ID}`));
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toMatchObject({ TopicArn: TOPIC, Subject: `[GuardDuty IR] Released: access key ${KEY_ID}` });
    expect(keyReleaseFailed(report)).toBe(false);
  });

  it('never activates a key that was not Active before the response', async () => {
    item = record('Inactive', null);
    const report = await release();
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(report.warnings).toContain(`${KEY_ID} was Inactive before the response: it stays as it is.`);
  });

  it('leaves a revoke policy the principal had before the response, and one whose document was changed since', async () => {
    item = record('Active', revokeOlderSessionsPolicy(new Date('2026-01-01T00:00:00.000Z')));
    const before = await release();
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toEqual([]);
    expect(before.warnings).toContain('user deploy-bot had a AWSRevokeOlderSessions policy before the response (it is in the record): it is left in place; remove it by hand if it is not wanted.');

    item = record('Active', null);
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })) });
    const changed = await release();
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toEqual([]);
    expect(changed.warnings).toContain("AWSRevokeOlderSessions of user deploy-bot is not the responder's (its document was changed): it is left in place.");
  });

  it('removes a role\'s revoke policy (a temporary key\'s release), never a user\'s key', async () => {
    item = { pk: { S: KEY }, revision: { N: '1' }, 'sessionPolicy:role:etl-job': { M: { previousDocument: { NULL: true } } } };
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(revokeOlderSessionsPolicy(NOW)) });
    iam.on(DeleteRolePolicyCommand).resolves({});
    const report = await release();
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions' }]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(report.summary.failed).toBe(0);
  });

  it('keeps a role’s revoke policy while another open incident (a contained function of the account) revoked the same role', async () => {
    item = { pk: { S: KEY }, revision: { N: '1' }, 'sessionPolicy:role:etl-job': { M: { previousDocument: { NULL: true } } } };
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(revokeOlderSessionsPolicy(NOW)) });
    const other = `restore#${ACCOUNT}#us-east-1#function:etl-runner`;
    dynamodb.on(ScanCommand).resolves({
      Items: [
        { pk: { S: other }, incidentId: { S: 'ir-00000000000000bb' }, kind: { S: 'function' }, resourceId: { S: 'etl-runner' } },
        { pk: { S: `restore#${ACCOUNT}#i-0123456789abcdef0` }, incidentId: { S: 'ir-00000000000000cc' }, kind: { S: 'instance' }, resourceId: { S: 'i-0123456789abcdef0' } },
      ],
    });
    const report = await release();
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toEqual([]);
    expect(report.steps).toEqual([]);
    expect(report.warnings).toEqual([
      `AWSRevokeOlderSessions of role etl-job is kept: 2 other open incidents revoked its sessions too (ir-00000000000000cc (instance i-0123456789abcdef0, restore#${ACCOUNT}#i-0123456789abcdef0), ir-00000000000000bb (function etl-runner, ${other})); release them first; a release removes it only where its own record says the principal had none before, so remove it by hand once none is open if no release does.`,
    ]);
    expect(dynamodb.commandCalls(ScanCommand).map((c) => c.args[0].input.ExpressionAttributeNames)).toEqual([{ '#policy': 'sessionPolicy:role:etl-job', '#kind': 'kind' }]);
    expect(dynamodb.commandCalls(ScanCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':prefix': { S: `restore#${ACCOUNT}#` }, ':self': { S: KEY } });
  });

  it("removes the revoke policy of the IAM user that issued a federated session (GetFederationToken), and touches no key", async () => {
    item = { pk: { S: KEY }, revision: { N: '1' }, 'sessionPolicy:user:partner-broker': { M: { previousDocument: { NULL: true } } } };
    iam.on(GetUserPolicyCommand, { UserName: 'partner-broker' }).resolves({ PolicyDocument: encodeURIComponent(revokeOlderSessionsPolicy(NOW)) });
    const report = await release();
    expect(iam.commandCalls(DeleteUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'partner-broker', PolicyName: 'AWSRevokeOlderSessions' }]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['remove-session-policy:user:partner-broker', 'done']]);
  });

  it('--dry-run plans the same and changes, records and sends nothing', async () => {
    const report = await release(true);
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      ['reactivate-access-key', 'skipped', 'blocked by dry-run'],
      ['remove-session-policy:user:deploy-bot', 'skipped', 'blocked by dry-run'],
    ]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
  });

  it('--principal that is not the record\'s: refused, nothing changed', async () => {
    const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
    const report = await releaseAccessKey(KEY_ID, { clients, ledger: new RestoreLedger(clients.dynamodb, TABLE), dryRun: false, principal: { kind: 'user', name: 'someone-else' } });
    expect(report.refused).toBe(`the restore record ${KEY} is of user/deploy-bot, not user/someone-else: nothing was changed`);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    const matching = await releaseAccessKey(KEY_ID, { clients, ledger: new RestoreLedger(clients.dynamodb, TABLE), dryRun: true, principal: { kind: 'user', name: 'deploy-bot' } });
    expect(matching.refused).toBeNull();
  });

  it('no record in the ledger: refused, nothing changed', async () => {
    item = undefined;
    const report = await release();
    expect(report.refused).toBe(`the ledger ${TABLE} holds no restore record of ${KEY_ID} (${KEY}): nothing was changed`);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toEqual([]);
    expect(keyReleaseFailed(report)).toBe(true);
  });
});

describe('isResponderRevokePolicy', () => {
  it('is the one Deny of everything to sessions issued before a time, and nothing else', () => {
    expect(isResponderRevokePolicy(revokeOlderSessionsPolicy(NOW))).toBe(true);
    expect(isResponderRevokePolicy(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'] }] }))).toBe(false);
    expect(isResponderRevokePolicy(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': 'x' }, Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }] }))).toBe(false);
    expect(isResponderRevokePolicy('not json')).toBe(false);
  });
});

describe('ir release --access-key keeps its record and notifies both topics', () => {
  const s3 = mockClient(S3Client);
  const BUCKET = 'ir-evidence-bucket';
  const KEY_ARN = 'arn:aws:kms:eu-west-1:999988887777:key/11111111-2222-3333-4444-555555555555';
  const CHAT_TOPIC = 'arn:aws:sns:us-east-1:999988887777:guardduty-ir-chat';
  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-9' });
  });
  afterAll(() => s3.restore());

  function trailed(): Promise<KeyReleaseReport> {
    const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
    return releaseAccessKey(KEY_ID, {
      clients,
      ledger: new RestoreLedger(clients.dynamodb, TABLE, () => NOW),
      dryRun: false,
      region: 'us-east-1',
      evidence: { destination: { bucket: BUCKET, keyArn: KEY_ARN, region: 'eu-west-1', s3: () => Promise.resolve(clients.s3) } },
      notify: { sns: clients.sns, topicArn: TOPIC, chatTopicArn: CHAT_TOPIC },
      now: () => NOW,
    });
  }

  it("writes under the key's incident, in the region of the response that revoked it, SSE-KMS under the stack's key", async () => {
    item = record('Active', null, { incidentId: { S: 'ir-00000000000000aa' }, region: { S: 'eu-west-1' } });
    const report = await trailed();
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    const key = `incidents/${ACCOUNT}/eu-west-1/ir-00000000000000aa/releases/2026-11-23T100000.000Z-release.json`;
    expect({ ...put, Body: undefined }).toEqual({
      Bucket: BUCKET,
      Key: key,
      ContentType: 'application/json; charset=utf-8',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      ChecksumAlgorithm: 'SHA256',
      Body: undefined,
    });
    expect(JSON.parse(String(put!.Body))).toMatchObject({
      kind: 'access-key-release',
      releasedBy: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accessKeyId: KEY_ID,
      incidentId: 'ir-00000000000000aa',
      restoreRecord: { key: KEY, accessKey: { userName: 'deploy-bot', status: 'Active' }, region: 'eu-west-1' },
      release: { summary: { done: 2, failed: 0 }, ledger: { status: 'recorded' } },
    });
    expect(report.evidence).toMatchObject({ status: 'done', detail: `s3://${BUCKET}/${key} (version v-9)` });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => [p.TopicArn, p.Subject])).toEqual(
      expect.arrayContaining([
        [TOPIC, `[GuardDuty IR] Released: access key ${KEY_ID}`],
        [CHAT_TOPIC, `[GuardDuty IR] Released: access key ${KEY_ID}`],
      ]),
    );
    expect(JSON.parse(published.find((p) => p.TopicArn === CHAT_TOPIC)!.Message!)).toMatchObject({ metadata: { threadId: 'ir-00000000000000aa', relatedResources: [KEY_ID, 'deploy-bot'] } });
    expect(report.chatNotification).toMatchObject({ status: 'sent', topicArn: CHAT_TOPIC });
  });

  it('a record that names no incident goes under no-incident/<key id>/, in the operator region', async () => {
    await trailed();
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(put!.Key).toBe(`incidents/${ACCOUNT}/us-east-1/no-incident/${KEY_ID}/releases/2026-11-23T100000.000Z-release.json`);
  });
});
