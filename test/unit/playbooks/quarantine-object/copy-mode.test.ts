import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, parseConfig, type RuntimeConfig } from '../../../../lambda/config/schema';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import { checkCopy, quarantineCopyKey } from '../../../../lambda/playbooks/quarantine-object/copy-request';
import { COPY_OBJECT_VERSION, REMOVE_OBJECT_VERSION } from '../../../../lambda/playbooks/quarantine-object/specs';
import type { Report } from '../../../../lambda/plan/document';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { OBJECT_FIXTURE, s3Error, s3Finding } from '../../../support/aws-mocks/s3-findings';

/*
 * quarantine-object in copy mode with mocked S3 and ledger: the quarantine
 * bucket is checked (versioned, closed to the public), the exact version
 * copied with both owners named and S3's SHA-256, the copy verified against
 * the finding's hash, and only then that version deleted, by its VersionId.
 * A copy that cannot be verified, or a copy step that failed, leaves the
 * version where it is.
 */

const BUCKET = 'uploads-prod';
const KEY = 'incoming/invoice-2026-11.pdf.exe';
const VERSION = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo';
const OWNER = '222222222222';
const QUARANTINE = `ir-quarantine-${OWNER}-us-east-1`;
const COPY_KEY = `${BUCKET}/${VERSION}/${KEY}`;
const COPY_VERSION = 'copy-version-1';
/** The fixture's hash is the SHA-256 of the EICAR test file. */
const SHA256_HEX = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
const SHA256_B64 = Buffer.from(SHA256_HEX, 'hex').toString('base64');
const ETAG = '"44d88612fea8a8f36de82e1278abb02f"';
const COPY_CONFIG = { s3Quarantine: { mode: 'copy' as const, tagKey: 'ir:quarantine', quarantineBucket: 'ir-quarantine-{accountId}-{region}' } };

const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const order: string[] = [];

function copyHead() {
  return { ContentLength: 68, VersionId: COPY_VERSION, Metadata: { 'ir-source-version-id': VERSION, 'ir-source-bucket': BUCKET } };
}

beforeEach(() => {
  order.length = 0;
  s3.reset();
  dynamodb.reset();
  s3.rejects(s3Error('UnexpectedCall'));
  s3.on(GetObjectTaggingCommand).resolves({ VersionId: VERSION, TagSet: [{ Key: 'uploaded-by', Value: 'portal' }] });
  s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } });
  s3.on(HeadObjectCommand, { Bucket: BUCKET }).resolves({ ETag: ETAG, ContentLength: 68, ContentType: 'application/octet-stream', VersionId: VERSION });
  s3.on(HeadObjectCommand, { Bucket: QUARANTINE }).resolves(copyHead());
  s3.on(CopyObjectCommand).callsFake(() => (order.push('CopyObject'), { VersionId: COPY_VERSION, CopyObjectResult: { ETag: ETAG, ChecksumSHA256: SHA256_B64 } }));
  s3.on(DeleteObjectCommand).callsFake(() => (order.push('DeleteObject'), {}));
  dynamodb.on(UpdateItemCommand).callsFake(() => (order.push('UpdateItem'), {}));
});
afterAll(() => [s3, dynamodb].forEach((mock) => mock.restore()));

async function run(finding = s3Finding(OBJECT_FIXTURE), config: Partial<RuntimeConfig> = COPY_CONFIG): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false }, ...config },
    clients,
    dryRun: false,
    responder: { protectedRoleNames: [] },
    restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table'),
  });
}

const stepOf = (report: Report, id: string) => report.steps.find((s) => s.id === id);

describe('quarantine-object, copy mode', () => {
  it('checks the quarantine bucket, copies the exact version, verifies the copy, then deletes only that version', async () => {
    const report = await run();

    expect(s3.commandCalls(GetBucketVersioningCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: QUARANTINE, ExpectedBucketOwner: OWNER }]);
    expect(s3.commandCalls(GetPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: QUARANTINE, ExpectedBucketOwner: OWNER }]);
    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: QUARANTINE,
        Key: COPY_KEY,
        CopySource: `${BUCKET}/incoming/invoice-2026-11.pdf.exe?versionId=${encodeURIComponent(VERSION)}`,
        CopySourceIfMatch: ETAG,
        ExpectedBucketOwner: OWNER,
        ExpectedSourceBucketOwner: OWNER,
        ChecksumAlgorithm: 'SHA256',
        MetadataDirective: 'REPLACE',
        Metadata: { 'ir-source-bucket': BUCKET, 'ir-source-version-id': VERSION, 'ir-incident-id': report.incidentId, 'ir-source-key': encodeURIComponent(KEY) },
        ContentType: 'application/octet-stream',
        TaggingDirective: 'REPLACE',
      },
    ]);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: KEY, VersionId: VERSION, ExpectedBucketOwner: OWNER },
      { Bucket: QUARANTINE, Key: COPY_KEY, VersionId: COPY_VERSION, ExpectedBucketOwner: OWNER },
      { Bucket: QUARANTINE, Key: COPY_KEY, VersionId: COPY_VERSION, ExpectedBucketOwner: OWNER },
    ]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY, VersionId: VERSION, ExpectedBucketOwner: OWNER }]);
    expect(order).toEqual(['UpdateItem', 'CopyObject', 'DeleteObject']);
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(Object.values(update.ExpressionAttributeValues ?? {})).toContainEqual({ S: JSON.stringify({ mode: 'copy', bucket: QUARANTINE, key: COPY_KEY }) });
    expect(stepOf(report, 'copy-object-version')).toMatchObject({
      status: 'done',
      detail: `copied to s3://${QUARANTINE}/${COPY_KEY} version ${COPY_VERSION}, verified by SHA-256 ${SHA256_HEX} (the finding's), 68 bytes`,
    });
    expect(stepOf(report, 'remove-object-version')).toMatchObject({ status: 'done', detail: expect.stringContaining(`its copy is s3://${QUARANTINE}/${COPY_KEY} version ${COPY_VERSION}`) });
    expect(report.steps.map((s) => s.id)).not.toContain('tag-object-version');
  });

  it('never deletes when the copy does not match the finding\'s SHA-256', async () => {
    s3.on(CopyObjectCommand).resolves({ VersionId: COPY_VERSION, CopyObjectResult: { ETag: ETAG, ChecksumSHA256: Buffer.alloc(32).toString('base64') } });
    const report = await run();
    expect(stepOf(report, 'copy-object-version')).toMatchObject({ status: 'failed', error: { code: 'CopyNotVerified', message: expect.stringContaining('is NOT removed') } });
    expect(stepOf(report, 'remove-object-version')?.status).toBe('skipped');
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('never copies into a quarantine bucket that is not versioned or not closed to the public', async () => {
    s3.on(GetBucketVersioningCommand).resolves({});
    const unversioned = await run();
    expect(stepOf(unversioned, 'copy-object-version')).toMatchObject({ status: 'failed', error: { code: 'QuarantineBucketUnfit', message: expect.stringContaining('does not have versioning enabled') } });
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } });
    const open = await run();
    expect(stepOf(open, 'copy-object-version')).toMatchObject({ status: 'failed', error: { code: 'QuarantineBucketUnfit', message: expect.stringContaining('BlockPublicPolicy off') } });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('does not remove the version when its copy is no longer the one verified', async () => {
    s3.on(HeadObjectCommand, { Bucket: QUARANTINE }).resolvesOnce(copyHead()).resolves({ ...copyHead(), ContentLength: 1 });
    const report = await run();
    expect(stepOf(report, 'copy-object-version')?.status).toBe('done');
    expect(stepOf(report, 'remove-object-version')).toMatchObject({ status: 'failed', error: { code: 'CopyNotVerified' } });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('skips when the version is gone and the quarantine bucket holds its copy (an earlier run): nothing copied or deleted again', async () => {
    s3.on(HeadObjectCommand, { Bucket: BUCKET }).rejects(s3Error('NotFound'));
    s3.on(HeadObjectCommand, { Bucket: QUARANTINE }).resolves(copyHead());
    const report = await run();
    expect(stepOf(report, 'copy-object-version')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('quarantined by an earlier run') });
    expect(stepOf(report, 'remove-object-version')).toMatchObject({ status: 'skipped', reason: 'needs copy-object-version (skipped)' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('copies but never removes when the finding names no version (a delete without VersionId would hit whatever is there now)', async () => {
    const finding = s3Finding(OBJECT_FIXTURE, (detail) => {
      delete (detail.resource as { s3BucketDetails: { s3ObjectDetails: Record<string, unknown>[] }[] }).s3BucketDetails[0]!.s3ObjectDetails[0]!.versionId;
    });
    s3.on(HeadObjectCommand, { Bucket: QUARANTINE }).resolves({ ...copyHead(), Metadata: { 'ir-source-version-id': 'none' } });
    const report = await run(finding);
    expect(report.steps.map((s) => s.id)).not.toContain('remove-object-version');
    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toMatchObject({ Key: `${BUCKET}/none/${KEY}`, CopySource: `${BUCKET}/incoming/invoice-2026-11.pdf.exe` });
    expect(stepOf(report, 'copy-object-version')?.status).toBe('done');
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringContaining('copied but NOT removed')]));
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  // Each call of the copy and the removal broken in turn (the fault matrix's one-call cells cannot name them: test/unit/faults/fault-matrix.test.ts):
  // the step fails with the AWS code, and the version is never deleted unless the copy was made and verified.
  it.each([
    ['GetBucketVersioning', GetBucketVersioningCommand, {}, 'copy-object-version'],
    ['GetPublicAccessBlock', GetPublicAccessBlockCommand, {}, 'copy-object-version'],
    ['HeadObject of the version', HeadObjectCommand, { Bucket: BUCKET }, 'copy-object-version'],
    ['CopyObject', CopyObjectCommand, {}, 'copy-object-version'],
    ['HeadObject of the copy', HeadObjectCommand, { Bucket: QUARANTINE }, 'copy-object-version'],
    ['DeleteObject', DeleteObjectCommand, {}, 'remove-object-version'],
  ] as const)('%s failing (AccessDenied, throttling): that step fails with the code, nothing deleted before the copy is verified', async (_name, command, match, failing) => {
    for (const code of ['AccessDenied', 'SlowDown']) {
      s3.on(command as typeof HeadObjectCommand, match).rejects(s3Error(code));
      const report = await run();
      expect(stepOf(report, failing)).toMatchObject({ status: 'failed', error: { code } });
      if (failing === 'copy-object-version') {
        expect(stepOf(report, 'remove-object-version')?.status).toBe('skipped');
        expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
      }
    }
  });

  it('leaves a version in the quarantine bucket itself alone (a scan of the evidence): nothing copied or removed', async () => {
    const finding = s3Finding(OBJECT_FIXTURE, (detail) => {
      const bucket = (detail.resource as { s3BucketDetails: Record<string, unknown>[] }).s3BucketDetails[0]!;
      Object.assign(bucket, { name: QUARANTINE, arn: `arn:aws:s3:::${QUARANTINE}` });
    });
    const report = await run(finding);
    expect(report.steps.filter((s) => s.mutating).map((s) => s.id)).toEqual([]);
    expect(report.warnings.join('\n')).toContain('is in the quarantine bucket itself');
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('declares its IAM: PutObject only for a copy, DeleteObjectVersion and never DeleteObject, all on own-account buckets', () => {
    const own = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };
    expect(COPY_OBJECT_VERSION.iamGrants).toContainEqual({ action: 's3:PutObject', s3Objects: true, condition: { ...own, Null: { 's3:x-amz-copy-source': 'false' } } });
    expect(REMOVE_OBJECT_VERSION.iamGrants).toEqual([
      { action: 's3:GetObjectVersion', condition: own },
      { action: 's3:DeleteObjectVersion', condition: own },
    ]);
    expect([...COPY_OBJECT_VERSION.iamActions, ...REMOVE_OBJECT_VERSION.iamActions]).not.toContain('s3:DeleteObject');
  });
});

describe('checkCopy', () => {
  const base = {
    findingSha256: null,
    source: { eTag: ETAG, contentLength: 68, contentType: null, encrypted: 'none' as const },
    copySha256: null,
    copyETag: ETAG,
    copyLength: 68,
    copyMetadata: { 'ir-source-version-id': VERSION },
    sourceVersionId: VERSION,
  };
  it.each([
    ['the MD5 ETag when the finding has no hash', base, true],
    ['another source version in the metadata', { ...base, copyMetadata: { 'ir-source-version-id': 'other' } }, false],
    ['another length', { ...base, copyLength: 67 }, false],
    ['another ETag', { ...base, copyETag: '"00000000000000000000000000000000"' }, false],
    ['a multipart ETag (not an MD5)', { ...base, source: { ...base.source, eTag: '"44d88612fea8a8f36de82e1278abb02f-2"' } }, false],
    ['a KMS-encrypted version (its ETag is not an MD5)', { ...base, source: { ...base.source, encrypted: 'kms' as const } }, false],
    ['the finding hash, matching', { ...base, findingSha256: SHA256_HEX, copySha256: SHA256_B64, copyETag: null }, true],
    ['the finding hash, no copy checksum', { ...base, findingSha256: SHA256_HEX }, false],
  ])('%s', (_what, evidence, verified) => {
    expect(checkCopy(evidence).verified).toBe(verified);
  });
});

describe('copy-mode configuration and keys', () => {
  it('needs a quarantine bucket in copy mode, and only there', () => {
    expect(parseConfig({ s3Quarantine: { mode: 'copy', quarantineBucket: 'ir-quarantine-{accountId}-{region}' } }, 'cdk.json').s3Quarantine).toMatchObject({ mode: 'copy' });
    expect(() => parseConfig({ s3Quarantine: { mode: 'copy' } }, 'cdk.json')).toThrow('"s3Quarantine.quarantineBucket": is required in copy mode');
    expect(() => parseConfig({ s3Quarantine: { quarantineBucket: 'ir-quarantine' } }, 'cdk.json')).toThrow('is only used in copy mode');
    expect(() => parseConfig({ s3Quarantine: { mode: 'copy', quarantineBucket: 'Quarantine_{account}' } }, 'cdk.json')).toThrow('s3Quarantine.quarantineBucket');
    expect(() => parseConfig({ s3Quarantine: { mode: 'copy', quarantineBucket: `${'a'.repeat(51)}-{accountId}` } }, 'cdk.json')).toThrow('must be an S3 bucket name');
  });

  it('keeps a long key within S3\'s 1024 bytes by hashing it', () => {
    const long = { kind: 'object' as const, accountId: OWNER, bucket: BUCKET, key: 'k'.repeat(1020), versionId: VERSION, eTag: null, hash: null, tags: {} };
    expect(quarantineCopyKey(long)).toMatch(new RegExp(`^${BUCKET}/[0-9a-f]{64}$`));
  });
});
