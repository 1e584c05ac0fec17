import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ProxiedRequest } from '../../bench/latency-proxy';
import type { RuntimeConfig } from '../../lambda/config/schema';
import { objectRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import { releaseObject } from '../../lambda/release/object';
import type { Report } from '../../lambda/plan/document';
import { loadFixture } from '../support/fixtures';
import { LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';
import { failedSteps } from './support/run-playbook';

/*
 * quarantine-object in copy mode against the emulator, through the Lambda
 * handler and the fault-injecting proxy: the version is copied to the
 * quarantine bucket (versioned, public access blocked), the copy verified
 * against the finding's SHA-256 (the fixture's hash is the EICAR test file's),
 * and only then that version deleted; the other version stays. With the
 * answer of CopyObject or DeleteObject lost after the call landed, the SDK
 * sends it again: the copy is made twice (two versions of the same bytes in
 * the quarantine bucket), the version is deleted once, and nothing is lost.
 *
 * moto implements CopyObject (with x-amz-checksum-algorithm, returning the
 * copy's SHA-256), HeadObject, DeleteObject with VersionId,
 * GetBucketVersioning and GetPublicAccessBlock. It does not refuse a call
 * whose ExpectedBucketOwner is another account, nor evaluate the
 * s3:x-amz-copy-source condition of the role: those are unit and CDK tests.
 */

type Json = Record<string, unknown>;
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const UPLOADS = 'ir-test-copy-uploads';
const KEY = 'incoming/report.pdf.exe';

let bench: ProxiedHandlerBench;
let s3: S3Client;
let quarantine: string;

const copyConfig = (): Partial<RuntimeConfig> => ({ s3Quarantine: { mode: 'copy', tagKey: 'ir:quarantine', quarantineBucket: 'ir-test-q-{accountId}-{region}' } });
const isOp = (name: string) => (request: ProxiedRequest) => request.operation.includes(`x-id=${name}`);

function findingEvent(versionId: string): Json {
  const event = structuredClone(loadFixture('quarantine-object/malicious-file.event.json')) as Json;
  const { accountId, region } = bench.account.seed;
  const detail = event.detail as Json;
  const id = `${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`.slice(0, 32).padEnd(32, '0');
  Object.assign(event, { account: accountId, region });
  Object.assign(detail, { accountId, region, id, arn: `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  const bucket = ((detail.resource as Json).s3BucketDetails as Json[])[0]!;
  const object = (bucket.s3ObjectDetails as Json[])[0]!;
  Object.assign(bucket, { name: UPLOADS, arn: `arn:aws:s3:::${UPLOADS}`, s3ObjectDetails: [{ ...object, key: KEY, versionId, objectArn: `arn:aws:s3:::${UPLOADS}/${KEY}` }] });
  return event;
}

/** A fresh malicious version (tagged by its uploader) under KEY, and a clean one after it. */
async function upload(): Promise<{ malicious: string; clean: string }> {
  const malicious = (await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: KEY, Body: EICAR, ContentType: 'application/octet-stream' }))).VersionId!;
  await s3.send(new PutObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: malicious, Tagging: { TagSet: [{ Key: 'uploaded-by', Value: 'portal' }] } }));
  const clean = (await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: KEY, Body: 'clean' }))).VersionId!;
  return { malicious, clean };
}

async function versionsOf(bucket: string, key: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (listed.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId!);
}

/** The failed steps but the bucket-policy read: the uploads bucket has no policy (NoSuchBucketPolicy), which copy mode does not use. */
const failedChanges = (report: Report) => failedSteps(report).filter((line) => !line.startsWith('read:read-bucket-policy:'));
const statusById = (report: Report) => Object.fromEntries(report.steps.map((s) => [s.id, s.status]));

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
  s3 = bench.account.clients.s3;
  const { accountId, region } = bench.account.seed;
  quarantine = `ir-test-q-${accountId}-${region}`;
  for (const bucket of [UPLOADS, quarantine]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: quarantine,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
});

afterAll(() => bench?.close());
afterEach(() => bench.proxy.clearFaults());

describe('quarantine-object, copy mode, on the emulator', () => {
  it('copies the version with its source in the metadata, verifies it, then deletes only that version', async () => {
    const { malicious, clean } = await upload();
    bench.proxy.clear();
    const report = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: copyConfig() });

    expect(failedChanges(report)).toEqual([]);
    expect(statusById(report)).toMatchObject({ 'record-restore:object': 'done', 'copy-object-version': 'done', 'remove-object-version': 'done' });
    const copyKey = `${UPLOADS}/${malicious}/${KEY}`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: quarantine, Key: copyKey }));
    expect(head.Metadata).toMatchObject({ 'ir-source-version-id': malicious, 'ir-source-bucket': UPLOADS, 'ir-incident-id': report.incidentId });
    expect(await (await s3.send(new GetObjectCommand({ Bucket: quarantine, Key: copyKey }))).Body?.transformToString()).toBe(EICAR);
    expect(report.steps.find((s) => s.id === 'copy-object-version')?.detail).toContain('verified by SHA-256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f');
    // Only the scanned version is gone; the clean one stays, and no delete marker hides the key.
    expect(await versionsOf(UPLOADS, KEY)).toEqual(expect.arrayContaining([clean]));
    expect(await versionsOf(UPLOADS, KEY)).not.toContain(malicious);
    const record = await bench.item(objectRestoreKey(bench.account.seed.accountId, UPLOADS, KEY, malicious));
    expect(JSON.parse(record?.objectQuarantine?.S ?? '{}')).toEqual({ mode: 'copy', bucket: quarantine, key: copyKey });
    expect(record?.objectTags).toEqual({ L: [{ M: { Key: { S: 'uploaded-by' }, Value: { S: 'portal' } } }] });
    // The order of the changes: the copy before the delete, one delete.
    const changes = bench.proxy.calls.filter((c) => isOp('CopyObject')(c) || isOp('DeleteObject')(c)).map((c) => (isOp('CopyObject')(c) ? 'copy' : 'delete'));
    expect(changes).toEqual(['copy', 'delete']);
  });

  it('a CopyObject whose answer is lost after it landed: copied twice, deleted once, nothing lost', async () => {
    const { malicious } = await upload();
    bench.proxy.addFault({ kind: 'lost-answer', matches: isOp('CopyObject'), times: 1 });
    bench.proxy.clear();
    const report = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: copyConfig() });

    const copies = bench.proxy.calls.filter(isOp('CopyObject'));
    expect(copies.map((c) => c.fault)).toEqual(['lost-answer', undefined]);
    expect(bench.proxy.calls.filter(isOp('DeleteObject'))).toHaveLength(1);
    expect(failedChanges(report)).toEqual([]);
    const copyKey = `${UPLOADS}/${malicious}/${KEY}`;
    // Both copies landed in the versioned quarantine bucket: two versions of the same bytes.
    expect(await versionsOf(quarantine, copyKey)).toHaveLength(2);
    expect(await versionsOf(UPLOADS, KEY)).not.toContain(malicious);
  });

  it('a DeleteObject whose answer is lost after it landed: the retry finds nothing more to delete, and the step is done', async () => {
    const { malicious } = await upload();
    bench.proxy.addFault({ kind: 'lost-answer', matches: isOp('DeleteObject'), times: 1 });
    bench.proxy.clear();
    const report = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: copyConfig() });

    expect(bench.proxy.calls.filter(isOp('DeleteObject')).map((c) => c.fault)).toEqual(['lost-answer', undefined]);
    expect(failedChanges(report)).toEqual([]);
    expect(statusById(report)).toMatchObject({ 'remove-object-version': 'done' });
    expect(await versionsOf(quarantine, `${UPLOADS}/${malicious}/${KEY}`)).toHaveLength(1);

    // The finding delivered again: the version is gone, the plan says where its copy is, and nothing is changed.
    bench.proxy.clear();
    const again = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: copyConfig() });
    expect(again.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(again.warnings.join('\n')).toContain(`look for s3://${quarantine}/${UPLOADS}/${malicious}/${KEY}`);
    expect(bench.proxy.calls.filter((c) => isOp('CopyObject')(c) || isOp('DeleteObject')(c))).toEqual([]);
  });

  it('in dry-run shows the copy and the removal with their parameters, and changes nothing', async () => {
    const { malicious } = await upload();
    bench.proxy.clear();
    const report = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: { ...copyConfig(), mode: 'dry-run' } });
    expect(report.steps.find((s) => s.id === 'copy-object-version')).toMatchObject({ parameters: { Bucket: quarantine, Key: `${UPLOADS}/${malicious}/${KEY}`, ChecksumAlgorithm: 'SHA256' } });
    expect(report.steps.find((s) => s.id === 'remove-object-version')).toMatchObject({ parameters: { Bucket: UPLOADS, Key: KEY, VersionId: malicious } });
    expect(bench.proxy.calls.filter((c) => isOp('CopyObject')(c) || isOp('DeleteObject')(c))).toEqual([]);
    expect(await versionsOf(UPLOADS, KEY)).toContain(malicious);
  });
});

describe('ir release --object', () => {
  const release = (versionId: string, dryRun = false) =>
    releaseObject({ bucket: UPLOADS, key: KEY, versionId }, { clients: bench.account.clients, ledger: new RestoreLedger(bench.dynamodb, LEDGER_TABLE), dryRun });

  it('copy mode: copies the quarantine copy back as a new version with its recorded tags, keeps the copy, says the id changed', async () => {
    const { malicious } = await upload();
    await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object', config: copyConfig() });
    const before = await versionsOf(UPLOADS, KEY);

    const dry = await release(malicious, true);
    expect(dry.steps.map((s) => [s.id, s.status])).toEqual([['restore-object-copy', 'skipped']]);
    expect(await versionsOf(UPLOADS, KEY)).toEqual(before);

    const report = await release(malicious);
    expect(report.refused).toBeNull();
    const step = report.steps.find((s) => s.id === 'restore-object-copy');
    expect(step).toMatchObject({ status: 'done', detail: expect.stringContaining(`the version id changed from ${malicious}`) });
    const restored = (await versionsOf(UPLOADS, KEY)).filter((v) => !before.includes(v));
    expect(restored).toHaveLength(1);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: UPLOADS, Key: KEY, VersionId: restored[0] }))).Body?.transformToString()).toBe(EICAR);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: restored[0] }))).TagSet).toEqual([{ Key: 'uploaded-by', Value: 'portal' }]);
    expect(await versionsOf(quarantine, `${UPLOADS}/${malicious}/${KEY}`)).toHaveLength(1);
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: true });
    // Released once: a second release is refused, nothing copied again.
    expect((await release(malicious)).refused).toContain('was released at');
  });

  it('tag mode: removes the quarantine tag and puts the recorded tags back', async () => {
    const { malicious } = await upload();
    const report = await bench.invoke(findingEvent(malicious), { playbook: 'quarantine-object' });
    expect(report.steps.find((s) => s.id === 'tag-object-version')?.status).toBe('done');
    const released = await release(malicious);
    expect(released.steps.map((s) => [s.id, s.status])).toEqual([['remove-quarantine-tag', 'done']]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: UPLOADS, Key: KEY, VersionId: malicious }))).TagSet).toEqual([{ Key: 'uploaded-by', Value: 'portal' }]);
  });
});
