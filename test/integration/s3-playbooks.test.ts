import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { bucketRestoreKey, objectRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseBucket, type BucketReleaseReport } from '../../lambda/release/bucket';
import { loadFixture } from '../support/fixtures';
import { LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';
import { failedSteps } from './support/run-playbook';

/*
 * The S3 playbooks against the emulator, through the Lambda handler with the
 * ledger: block-public-access turns a bucket's block on after recording it,
 * and `ir release --bucket` puts the recorded settings back (or removes the
 * block the bucket did not have); quarantine-object tags the exact version,
 * keeping its tags and every version.
 *
 * moto implements GetPublicAccessBlock / PutPublicAccessBlock /
 * DeletePublicAccessBlock, GetBucketPolicyStatus, GetBucketAcl,
 * GetBucketPolicy and Get/PutObjectTagging with VersionId. It does not
 * evaluate bucket policies (the quarantine tag's Deny statement cannot be
 * seen to deny a read here: moto applies a matching statement's Deny to everyone, whatever its Condition) nor refuse a call
 * whose ExpectedBucketOwner is another account: the parameter is asserted by
 * the unit tests (test/unit/playbooks/*), and the refusal with mocked clients.
 */

type Json = Record<string, unknown>;
const EXPOSED = 'ir-test-web-assets';
const BARE = 'ir-test-bare-bucket';
const UPLOADS = 'ir-test-uploads';
const KEY = 'incoming/invoice.pdf.exe';

let bench: HandlerBench;
let s3: S3Client;

function s3FindingEvent(fixture: string, edit: (detail: Json, bucket: Json) => void): Json {
  const event = structuredClone(loadFixture(fixture)) as Json;
  const { accountId, region } = bench.account.seed;
  const detail = event.detail as Json;
  const id = `${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`.slice(0, 32).padEnd(32, '0');
  Object.assign(event, { account: accountId, region });
  Object.assign(detail, { accountId, region, id, arn: `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  edit(detail, ((detail.resource as Json).s3BucketDetails as Json[])[0]!);
  return event;
}

function bucketEvent(bucket: string): Json {
  return s3FindingEvent('block-public-access/bucket-public-access-granted.event.json', (_detail, detail) => Object.assign(detail, { name: bucket, arn: `arn:aws:s3:::${bucket}` }));
}

function statusById(report: Report): Record<string, string> {
  return Object.fromEntries(report.steps.map((s) => [s.id, s.status]));
}

async function blockOf(bucket: string): Promise<unknown> {
  try {
    return (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
  } catch (error) {
    return (error as Error).name;
  }
}

function release(bucket: string, dryRun = false): Promise<BucketReleaseReport> {
  return releaseBucket(bucket, {
    clients: bench.account.clients,
    ledger: new RestoreLedger(bench.dynamodb, LEDGER_TABLE),
    dryRun,
    notify: { sns: bench.account.clients.sns, topicArn: bench.account.seed.notifications.topicArn },
  });
}

beforeAll(async () => {
  bench = await startHandlerBench();
  s3 = await bench.account.clients.load('s3');
  for (const bucket of [EXPOSED, BARE, UPLOADS]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: EXPOSED, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
});

afterAll(() => bench?.close());

describe('block-public-access on a bucket with a public access block of its own', () => {
  let report: Report;
  let released: BucketReleaseReport;
  let blockAfterResponse: unknown;

  beforeAll(async () => {
    report = await bench.invoke(bucketEvent(EXPOSED), { playbook: 'block-public-access' });
    blockAfterResponse = await blockOf(EXPOSED);
    await bench.inbox();
    released = await release(EXPOSED);
  });

  it('records the block, then turns every setting on', async () => {
    expect(failedSteps(report)).toEqual([]);
    // The three reads go at once: their order is the emulator's.
    const s3Reads = report.reads.filter((r) => r.action.startsWith('s3:')).map((r) => `${r.action} ${r.status}`);
    expect(s3Reads.sort()).toEqual(['s3:GetBucketAcl done', 's3:GetBucketPolicyStatus done', 's3:GetBucketPublicAccessBlock done']);
    expect(statusById(report)).toMatchObject({ 'record-restore:bucket': 'done', 'block-public-access': 'done' });
    expect(blockAfterResponse).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const record = await bench.item(bucketRestoreKey(bench.account.seed.accountId, EXPOSED));
    expect(record?.kind).toEqual({ S: 'bucket' });
    expect(record?.publicAccessBlock).toEqual({
      M: { BlockPublicAcls: { BOOL: false }, IgnorePublicAcls: { BOOL: true }, BlockPublicPolicy: { BOOL: false }, RestrictPublicBuckets: { BOOL: false } },
    });
  });

  it('is undone by the release exactly: the recorded settings are back, the record closed', async () => {
    expect(released.refused).toBeNull();
    expect(released.steps.map((s) => [s.id, s.status])).toEqual([['restore-public-access-block', 'done']]);
    expect(await blockOf(EXPOSED)).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(released.ledger).toMatchObject({ status: 'recorded', closed: true });
    expect(released.notification).toMatchObject({ status: 'sent' });
    expect((await release(EXPOSED)).refused).toContain('was released at');
  });
});

describe('block-public-access on a bucket without a public access block', () => {
  it('records none, blocks, and the release removes the block again', async () => {
    const report = await bench.invoke(bucketEvent(BARE), { playbook: 'block-public-access' });
    expect(statusById(report)).toMatchObject({ 'record-restore:bucket': 'done', 'block-public-access': 'done' });
    const record = await bench.item(bucketRestoreKey(bench.account.seed.accountId, BARE));
    expect(record?.publicAccessBlock).toEqual({ NULL: true });
    expect(await blockOf(BARE)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    const dry = await release(BARE, true);
    expect(dry.steps.map((s) => [s.id, s.status])).toEqual([['remove-public-access-block', 'skipped']]);
    expect(await blockOf(BARE)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    const released = await release(BARE);
    expect(released.steps.map((s) => [s.id, s.status])).toEqual([['remove-public-access-block', 'done']]);
    expect(await blockOf(BARE)).toBe('NoSuchPublicAccessBlockConfiguration');
  });

  it('plans no change for a bucket that does not exist', async () => {
    const report = await bench.invoke(bucketEvent('ir-test-no-such-bucket'), { playbook: 'block-public-access' });
    expect(report.steps.map((s) => s.id)).not.toContain('block-public-access');
    expect(report.warnings[0]).toContain('does not exist (NoSuchBucket)');
  });
});

describe('quarantine-object on a versioned bucket', () => {
  let report: Report;
  let malicious: string;
  let clean: string;

  beforeAll(async () => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: UPLOADS, VersioningConfiguration: { Status: 'Enabled' } }));
    malicious = (await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: KEY, Body: 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR' }))).VersionId!;
    await s3.send(new PutObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: malicious, Tagging: { TagSet: [{ Key: 'uploaded-by', Value: 'portal' }] } }));
    // A later, clean version under the same key: only the scanned one is quarantined.
    clean = (await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: KEY, Body: 'clean' }))).VersionId!;
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: UPLOADS,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyReadingQuarantinedObjects',
              Effect: 'Deny',
              Principal: '*',
              // moto matches a bucket policy's actions but ignores its conditions (it denies them to everyone), and authorises
              // GetObjectTagging as s3:GetObject: with s3:GetObject here the playbook could not read the tags. s3:GetObjectVersion
              // alone leaves the current version readable, so the plan says the statement does not quarantine (docs/playbooks-s3.md).
              Action: 's3:GetObjectVersion',
              Resource: `arn:aws:s3:::${UPLOADS}/*`,
              Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' }, ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${bench.account.seed.accountId}:role/SecurityTeam` } },
            },
          ],
        }),
      }),
    );
    const event = s3FindingEvent('quarantine-object/malicious-file.event.json', (_detail, bucket) => {
      Object.assign(bucket, { name: UPLOADS, arn: `arn:aws:s3:::${UPLOADS}`, s3ObjectDetails: [{ key: KEY, versionId: malicious, objectArn: `arn:aws:s3:::${UPLOADS}/${KEY}` }] });
    });
    report = await bench.invoke(event, { playbook: 'quarantine-object' });
  });

  it('tags that exact version, keeping its tags, and records them first', async () => {
    expect(failedSteps(report)).toEqual([]);
    expect(statusById(report)).toMatchObject({ 'record-restore:object': 'done', 'tag-object-version': 'done' });
    expect(report.resource).toMatchObject({ policyHonoursTag: false });
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringContaining('the tag alone does NOT stop anyone reading the object')]));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: malicious }));
    expect(tags.TagSet).toEqual([
      { Key: 'uploaded-by', Value: 'portal' },
      { Key: 'ir:quarantine', Value: 'quarantined' },
    ]);
    const record = await bench.item(objectRestoreKey(bench.account.seed.accountId, UPLOADS, KEY, malicious));
    expect(record?.objectTags).toEqual({ L: [{ M: { Key: { S: 'uploaded-by' }, Value: { S: 'portal' } } }] });
  });

  it('leaves the other version untagged and deletes nothing', async () => {
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: clean }))).TagSet).toEqual([]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: UPLOADS }));
    expect((versions.Versions ?? []).map((v) => v.VersionId).sort()).toEqual([malicious, clean].sort());
    expect(versions.DeleteMarkers ?? []).toEqual([]);
  });
});
