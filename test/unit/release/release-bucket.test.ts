import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { releaseBucket } from '../../../lambda/release/bucket';
import { RELEASE_STEP_SPECS } from '../../../lambda/release/specs';
import { s3Error } from '../../support/aws-mocks/s3-findings';

/*
 * `ir release --bucket` with mocked clients: from the ledger's record only,
 * every S3 call with ExpectedBucketOwner, and nothing changed when there is
 * no record, the record holds no block, or the block is no longer the
 * responder's.
 */

const ACCOUNT = '222222222222';
const BUCKET = 'web-assets-prod';
const KEY = `restore#${ACCOUNT}#s3:${BUCKET}`;
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

function recordWith(block: Record<string, unknown>) {
  return { Item: { pk: { S: KEY }, kind: { S: 'bucket' }, resourceId: { S: BUCKET }, incidentId: { S: 'ir-0123456789abcdef' }, revision: { N: '1' }, ...block } };
}

beforeEach(() => {
  for (const mock of [s3, sts, dynamodb]) mock.reset();
  s3.rejects(s3Error('UnexpectedCall'));
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SecOps/alice` });
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
  s3.on(PutPublicAccessBlockCommand).resolves({});
  s3.on(DeletePublicAccessBlockCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});
afterAll(() => [s3, sts, dynamodb].forEach((mock) => mock.restore()));

const run = (dryRun = false) => releaseBucket(BUCKET, { clients, ledger: new RestoreLedger(clients.dynamodb, 'ledger'), dryRun });

describe('releaseBucket', () => {
  it('reads the record of the operator account and puts the recorded settings back, with ExpectedBucketOwner', async () => {
    dynamodb.on(GetItemCommand).resolves(
      recordWith({ publicAccessBlock: { M: { BlockPublicAcls: { BOOL: false }, IgnorePublicAcls: { BOOL: true }, BlockPublicPolicy: { BOOL: false }, RestrictPublicBuckets: { BOOL: false } } } }),
    );
    const report = await run();
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: 'ledger', Key: { pk: { S: KEY } }, ConsistentRead: true });
    expect(s3.commandCalls(GetPublicAccessBlockCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT });
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } },
    ]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['restore-public-access-block', 'done']]);
    expect(report.ledger).toMatchObject({ status: 'recorded', key: KEY });
  });

  it('removes the block when the record says none, and changes nothing in a dry-run', async () => {
    dynamodb.on(GetItemCommand).resolves(recordWith({ publicAccessBlock: { NULL: true } }));
    const dry = await run(true);
    expect(dry.steps.map((s) => [s.id, s.status])).toEqual([['remove-public-access-block', 'skipped']]);
    expect(s3.commandCalls(DeletePublicAccessBlockCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    await run();
    expect(s3.commandCalls(DeletePublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT }]);
  });

  it('leaves a block someone changed since the response', async () => {
    dynamodb.on(GetItemCommand).resolves(recordWith({ publicAccessBlock: { NULL: true } }));
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicPolicy: false } });
    const report = await run();
    expect(report.steps).toEqual([]);
    expect(report.warnings[0]).toContain("no longer has the responder's block");
    expect(s3.commandCalls(DeletePublicAccessBlockCommand)).toHaveLength(0);
  });

  describe('names what becomes effective again, from the recorded exposure', () => {
    const OPEN_BLOCK = { M: { BlockPublicAcls: { BOOL: false }, IgnorePublicAcls: { BOOL: false }, BlockPublicPolicy: { BOOL: false }, RestrictPublicBuckets: { BOOL: false } } };
    const exposure = (policyIsPublic: boolean | null, grants: { grantee: string; permission: string }[]) => ({
      S: JSON.stringify({ policyIsPublic, aclOwnerId: 'owner-canonical-id', aclGrants: [{ grantee: 'owner-canonical-id', permission: 'FULL_CONTROL' }, ...grants] }),
    });
    const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
    const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

    it('the public policy and the public ACL grants, first, in the dry-run too', async () => {
      dynamodb.on(GetItemCommand).resolves(
        recordWith({
          publicAccessBlock: OPEN_BLOCK,
          recordedAt: { S: '2026-11-22T08:00:00.000Z' },
          bucketExposure: exposure(true, [{ grantee: ALL_USERS, permission: 'READ' }, { grantee: AUTHENTICATED, permission: 'WRITE_ACP' }]),
        }),
      );
      const report = await run(true);
      expect(report.warnings[0]).toBe(
        'RELEASE MAKES BUCKET web-assets-prod PUBLIC AGAIN: its bucket policy, public when the response recorded it at 2026-11-22T08:00:00.000Z (GetBucketPolicyStatus IsPublic), grants public access again; ' +
          `its ACL grants READ to ${ALL_USERS}, WRITE_ACP to ${AUTHENTICATED} (recorded at 2026-11-22T08:00:00.000Z) apply again. ` +
          'The response never changed the policy or the ACL; remove what is not wanted before releasing (the record shows them as they were at 2026-11-22T08:00:00.000Z; they may have changed since).',
      );
      expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
    });

    it('only what the restored block lets through, and the account setting when the bucket had no block', async () => {
      const grants = [{ grantee: ALL_USERS, permission: 'READ' }];
      // IgnorePublicAcls and RestrictPublicBuckets were on before: neither the ACL nor the policy is effective again.
      dynamodb.on(GetItemCommand).resolves(
        recordWith({
          publicAccessBlock: { M: { ...OPEN_BLOCK.M, IgnorePublicAcls: { BOOL: true }, RestrictPublicBuckets: { BOOL: true } } },
          bucketExposure: exposure(true, grants),
        }),
      );
      expect((await run(true)).warnings.filter((w) => w.startsWith('RELEASE MAKES'))).toEqual([]);

      dynamodb.on(GetItemCommand).resolves(recordWith({ publicAccessBlock: { NULL: true }, bucketExposure: exposure(false, grants) }));
      const none = await run(true);
      expect(none.steps.map((s) => s.id)).toEqual(['remove-public-access-block']);
      expect(none.warnings[0]).toBe(
        `RELEASE MAKES BUCKET web-assets-prod PUBLIC AGAIN: its ACL grants READ to ${ALL_USERS} (recorded) apply again (unless the account's own Block Public Access setting blocks it). ` +
          'The response never changed the policy or the ACL; remove what is not wanted before releasing (the record shows them as they were; they may have changed since).',
      );
    });

    it('says it does not know when the record holds no readable exposure, and says nothing when nothing is lifted', async () => {
      dynamodb.on(GetItemCommand).resolves(recordWith({ publicAccessBlock: OPEN_BLOCK, bucketExposure: { S: 'not json' } }));
      expect((await run(true)).warnings[0]).toContain('the restore record holds no readable exposure of bucket web-assets-prod');

      dynamodb.on(GetItemCommand).resolves(recordWith({ publicAccessBlock: OPEN_BLOCK, bucketExposure: exposure(true, []) }));
      s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { ...ALL_ON, IgnorePublicAcls: false } });
      const untouched = await run(true);
      expect(untouched.steps).toEqual([]);
      expect(untouched.warnings.some((w) => w.startsWith('RELEASE MAKES'))).toBe(false);
    });
  });

  it.each([
    ['no record', {}, 'holds no restore record of bucket web-assets-prod'],
    ['a record without a block', recordWith({}), 'holds no public access block'],
    ['a released record', recordWith({ publicAccessBlock: { NULL: true }, closedAt: { S: '2026-11-22T00:00:00.000Z' } }), 'was released at'],
  ])('refuses, changing nothing, with %s', async (_what, answer, refusal) => {
    dynamodb.on(GetItemCommand).resolves(answer);
    const report = await run();
    expect(report.refused).toContain(refusal);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeletePublicAccessBlockCommand)).toHaveLength(0);
  });

  it('declares every call it makes', () => {
    const declared = new Set(RELEASE_STEP_SPECS.flatMap((spec) => spec.iamActions));
    for (const action of ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'sts:GetCallerIdentity']) {
      expect([action, declared.has(action as never)]).toEqual([action, true]);
    }
  });
});
