import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  GetBucketAclCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import type { Report } from '../../../../lambda/plan/document';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { BUCKET_FIXTURE, s3Error, s3Finding } from '../../../support/aws-mocks/s3-findings';

/*
 * block-public-access end to end with mocked S3 and ledger: the exact reads
 * (each with ExpectedBucketOwner), the restore record before the change, the
 * exact PutPublicAccessBlock; and every way it must change nothing.
 */

const BUCKET = 'web-assets-prod';
const OWNER = '222222222222';
const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const order: string[] = [];
const OPEN = { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false };

beforeEach(() => {
  order.length = 0;
  s3.reset();
  dynamodb.reset();
  s3.rejects(s3Error('UnexpectedCall'));
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: OPEN });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  s3.on(GetBucketAclCommand).resolves({
    Owner: { ID: 'owner-canonical-id' },
    Grants: [
      { Grantee: { Type: 'CanonicalUser', ID: 'owner-canonical-id' }, Permission: 'FULL_CONTROL' },
      { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
    ],
  });
  s3.on(PutPublicAccessBlockCommand).callsFake(() => (order.push('PutPublicAccessBlock'), {}));
  dynamodb.on(UpdateItemCommand).callsFake(() => (order.push('UpdateItem'), {}));
});
afterAll(() => [s3, dynamodb].forEach((mock) => mock.restore()));

async function run(finding = s3Finding(BUCKET_FIXTURE), ledger = true): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } },
    clients,
    dryRun: false,
    responder: { protectedRoleNames: [] },
    ...(ledger ? { restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table') } : {}),
  });
}

function recorded(input: UpdateItemCommandInput): Record<string, unknown> {
  const names = input.ExpressionAttributeNames ?? {};
  return Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, input.ExpressionAttributeValues?.[`:${alias.slice(1)}`]]));
}

const statusOf = (report: Report, id: string) => report.steps.find((s) => s.id === id)?.status;

describe('block-public-access', () => {
  it('reads the bucket with ExpectedBucketOwner, records the block before the change, then turns all four settings on', async () => {
    const report = await run();

    const expected = { Bucket: BUCKET, ExpectedBucketOwner: OWNER };
    // Read by discovery, then again by the record step: the record holds the block as it is when the step runs.
    expect(s3.commandCalls(GetPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([expected, expected]);
    expect(s3.commandCalls(GetBucketPolicyStatusCommand).map((c) => c.args[0].input)).toEqual([expected]);
    expect(s3.commandCalls(GetBucketAclCommand).map((c) => c.args[0].input)).toEqual([expected]);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: BUCKET,
        ExpectedBucketOwner: OWNER,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      },
    ]);
    expect(order).toEqual(['UpdateItem', 'PutPublicAccessBlock']);

    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: { S: `restore#${OWNER}#s3:${BUCKET}` } });
    expect(update.ExpressionAttributeValues?.[':kind']).toEqual({ S: 'bucket' });
    expect(recorded(update)).toEqual({
      publicAccessBlock: { M: { BlockPublicAcls: { BOOL: false }, IgnorePublicAcls: { BOOL: true }, BlockPublicPolicy: { BOOL: false }, RestrictPublicBuckets: { BOOL: false } } },
      bucketExposure: {
        S: JSON.stringify({
          policyIsPublic: true,
          aclOwnerId: 'owner-canonical-id',
          aclGrants: [
            { grantee: 'owner-canonical-id', permission: 'FULL_CONTROL' },
            { grantee: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
          ],
        }),
      },
    });
    expect(statusOf(report, 'block-public-access')).toBe('done');
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('grants READ to http://acs.amazonaws.com/groups/global/AllUsers'),
        expect.stringContaining('the bucket policy of web-assets-prod is public'),
      ]),
    );
  });

  it('records "none" (NULL) when the bucket had no public access block of its own', async () => {
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketPolicyStatusCommand).rejects(s3Error('NoSuchBucketPolicy'));
    const report = await run();
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(recorded(update).publicAccessBlock).toEqual({ NULL: true });
    expect(report.resource).toMatchObject({ publicAccessBlock: 'public access block: none', policyStatus: 'policy: no policy' });
    expect(statusOf(report, 'block-public-access')).toBe('done');
  });

  it('changes nothing on a bucket that is not the finding account\'s (AccessDenied with ExpectedBucketOwner)', async () => {
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('AccessDenied'));
    s3.on(GetBucketPolicyStatusCommand).rejects(s3Error('AccessDenied'));
    s3.on(GetBucketAclCommand).rejects(s3Error('AccessDenied'));
    const report = await run();
    expect(report.blockedBy).toContain('bucket-verified');
    expect(report.guards.find((g) => g.id === 'bucket-verified')?.reason).toContain("could not be verified as account 222222222222's");
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('plans no change when the bucket is gone (NoSuchBucket), and says so', async () => {
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchBucket'));
    const report = await run();
    expect(report.steps.map((s) => s.id)).not.toContain('block-public-access');
    expect(report.warnings[0]).toContain('bucket web-assets-prod does not exist (NoSuchBucket): there is nothing to block');
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('records the block as it is when the record step runs, not as discovery read it (a wait for approval, a stored plan)', async () => {
    const LATER = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    s3.on(GetPublicAccessBlockCommand).resolvesOnce({ PublicAccessBlockConfiguration: OPEN }).resolves({ PublicAccessBlockConfiguration: LATER });
    const report = await run();
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(recorded(update).publicAccessBlock).toEqual({
      M: { BlockPublicAcls: { BOOL: false }, IgnorePublicAcls: { BOOL: false }, BlockPublicPolicy: { BOOL: false }, RestrictPublicBuckets: { BOOL: false } },
    });
    expect(report.steps.find((s) => s.id === 'record-restore:bucket')?.detail).toContain(`(read again: ${JSON.stringify(LATER)}; discovery read ${JSON.stringify(OPEN)})`);
    expect(statusOf(report, 'block-public-access')).toBe('done');
  });

  it('records nothing and changes nothing when the block cannot be read again when the record step runs', async () => {
    s3.on(GetPublicAccessBlockCommand).resolvesOnce({ PublicAccessBlockConfiguration: OPEN }).rejects(s3Error('AccessDenied'));
    const report = await run();
    expect(report.steps.find((s) => s.id === 'record-restore:bucket')).toMatchObject({ status: 'failed', error: { code: 'AccessDenied' } });
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });

  it('changes nothing when the restore record cannot be written', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('boom'), { name: 'ProvisionedThroughputExceededException' }));
    const report = await run();
    expect(statusOf(report, 'record-restore:bucket')).toBe('failed');
    expect(statusOf(report, 'block-public-access')).toBe('skipped');
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });

  it('skips the change when the bucket already blocks everything', async () => {
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
    const report = await run();
    expect(report.steps.find((s) => s.id === 'block-public-access')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('already blocks all public access') });
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });

  it('is stopped by the exempt tag on the bucket (as GuardDuty reports its tags)', async () => {
    const finding = s3Finding(BUCKET_FIXTURE, (detail) => {
      ((detail.resource as { s3BucketDetails: { tags: unknown[] }[] }).s3BucketDetails[0]!).tags.push({ key: 'ir:exempt', value: 'public website' });
    });
    const report = await run(finding);
    expect(report.blockedBy).toContain('exempt-tag');
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });

  it('acts on nothing when the finding names no single well-formed bucket', async () => {
    const finding = s3Finding(BUCKET_FIXTURE, (detail) => {
      ((detail.resource as { s3BucketDetails: { name: string }[] }).s3BucketDetails[0]!).name = '../Not_A_Bucket';
    });
    const report = await run(finding);
    expect(report.steps.filter((s) => s.mutating && s.id !== 'update-security-hub-finding')).toEqual([]);
    expect(report.warnings[0]).toContain('the bucket name "../Not_A_Bucket" must be an S3 bucket name');
    expect(s3.calls()).toHaveLength(0);
  });
});
