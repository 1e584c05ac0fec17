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
