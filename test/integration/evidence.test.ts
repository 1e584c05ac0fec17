import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Report } from '../../lambda/plan/document';
import { handleAs } from '../support/playbook-entries';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import { describeAccountState } from './support/account-state';
import { instanceFindingEvent, newFindingId } from './support/findings';
import { failedSteps, ENFORCE_CONFIG, RESPONDER } from './support/run-playbook';
import { freshTwoAccounts, MEMBER_ACCOUNT, type TwoAccounts } from './support/two-accounts';

/*
 * The evidence of a member-account instance, through the real Lambda
 * handler (handleInvocation, with the AccountAccess it builds itself),
 * against the emulator: the security account's bucket, made as the stack
 * makes it (Object Lock, GOVERNANCE 365 days, SSE-KMS), receives the
 * finding, plan, describe output, console output and report; the member
 * account holds no bucket and is changed only by the containment.
 *
 * moto gaps, written down rather than worked around:
 *  - GetConsoleOutput answers every instance with the same canned text
 *    (moto's SAMPLE_CONSOLE_OUTPUT), so the test checks the decoding of
 *    that text, not an instance's own console.
 *  - SSE-KMS is recorded but nothing is encrypted and the key is not
 *    checked against KMS: the key ARN below exists in no KMS. The test
 *    checks the headers S3 would act on.
 */

const BUCKET = 'guardduty-ir-evidence-123456789012-us-east-1';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;
const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:GuardDutyIncidentResponse-ContainInstance' };
/** moto's canned console output (moto/ec2/responses/general.py), as GetConsoleOutput decodes to. */
const MOTO_CONSOLE_START = 'Linux version 2.6.16-xenU';

let accounts: TwoAccounts;
let s3: S3Client;
let dryRun: Report;
let enforced: Report;
let findingId: string;
let memberBefore: Awaited<ReturnType<typeof describeAccountState>>;
let memberAfterDryRun: Awaited<ReturnType<typeof describeAccountState>>;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

function environment(overrides: Partial<LambdaEnvironment> = {}): LambdaEnvironment {
  return {
    playbook: 'contain-instance',
    config: ENFORCE_CONFIG,
    topicArn: accounts.security.seed.notifications.topicArn,
    protectedRoleNames: RESPONDER.protectedRoleNames,
    defaultRegion: 'us-east-1',
    evidence: { bucket: BUCKET, keyArn: KEY_ARN, region: 'us-east-1' },
    ...overrides,
  };
}

async function text(key: string, versionId?: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return object.Body!.transformToString('utf8');
}

function prefixOf(report: Report): string {
  return `incidents/${MEMBER_ACCOUNT}/us-east-1/${report.incidentId}/${report.findingId}/`;
}

beforeAll(async () => {
  accounts = await freshTwoAccounts();
  s3 = accounts.security.clients.s3;
  // The bucket as lib/evidence-bucket.ts deploys it, in the security account.
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: BUCKET,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: RETENTION_DAYS } } },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: BUCKET,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }] },
    }),
  );
  // The handler builds its own clients, as in Lambda: only the endpoint points them at the emulator.
  process.env.AWS_ENDPOINT_URL = accounts.endpoint;
  findingId = newFindingId();
  const event = instanceFindingEvent(accounts.member.seed, accounts.member.seed.instanceA, { id: findingId });
  memberBefore = await describeAccountState(accounts.member.clients);
  dryRun = (await handleAs({ ...event }, CONTEXT, environment({ config: { ...ENFORCE_CONFIG, mode: 'dry-run' } }))) as Report;
  memberAfterDryRun = await describeAccountState(accounts.member.clients);
  enforced = (await handleAs(event, CONTEXT, environment())) as Report;
});

afterAll(() => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

describe('evidence of a member-account instance, kept by the security account', () => {
  it('contains the instance and keeps every piece of evidence, without a failed step', () => {
    expect(enforced.accountId).toBe(MEMBER_ACCOUNT);
    expect(enforced.blockedBy).toEqual([]);
    expect(failedSteps(enforced)).toEqual([]);
    expect(enforced.steps.filter((s) => s.id.startsWith('evidence:')).map((s) => [s.id, s.status])).toEqual([
      ['evidence:finding.json', 'done'],
      ['evidence:plan.json', 'done'],
      ['evidence:describe.json', 'done'],
      ['evidence:read-console-output', 'done'],
      ['evidence:console-output.txt', 'done'],
      ['evidence:report.json', 'done'],
    ]);
  });

  it('writes the five objects under incidents/<member account>/<region>/<incident>/<finding>/ of the security account’s bucket', async () => {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'incidents/' }));
    const keys = [...new Set((listed.Versions ?? []).map((v) => v.Key))].sort();
    const prefix = prefixOf(enforced);
    expect(keys).toEqual(['console-output.txt', 'describe.json', 'finding.json', 'plan.json', 'report.json'].map((f) => `${prefix}${f}`));
    // The member account has no bucket at all: nothing was written with its credentials.
    const memberBuckets = await accounts.member.clients.s3.send(new ListBucketsCommand({}));
    expect((memberBuckets.Buckets ?? []).map((b) => b.Name)).toEqual([]);
  });

  it('keeps what the responder saw and did: the finding, the plan, the member instance as described, the console, the report', async () => {
    const prefix = prefixOf(enforced);
    const finding = JSON.parse(await text(`${prefix}finding.json`)) as { id: string; accountId: string };
    expect(finding).toMatchObject({ id: findingId, accountId: MEMBER_ACCOUNT });
    const plan = JSON.parse(await text(`${prefix}plan.json`)) as { incidentId: string; dryRun: boolean; steps: { id: string }[] };
    expect(plan).toMatchObject({ incidentId: enforced.incidentId, dryRun: false });
    expect(plan.steps.map((s) => s.id)).toEqual(enforced.steps.map((s) => s.id));
    const described = JSON.parse(await text(`${prefix}describe.json`)) as { responses: { action: string; response: unknown }[] };
    const instance = described.responses.find((r) => r.action === 'ec2:DescribeInstances');
    expect(instance?.response).toMatchObject({ Reservations: [{ Instances: [{ InstanceId: accounts.member.seed.instanceA.instanceId }] }] });
    expect(await text(`${prefix}console-output.txt`)).toContain(MOTO_CONSOLE_START);
    const report = JSON.parse(await text(`${prefix}report.json`)) as { stepsNotFinished: string[]; steps: { id: string; status: string }[] };
    expect(report.stepsNotFinished).toEqual(['evidence:report.json']);
    expect(report.steps.filter((s) => s.id.startsWith('isolate:')).map((s) => s.status)).toEqual(
      accounts.member.seed.instanceA.networkInterfaces.map(() => 'done'),
    );
  });

  it('locks every object in GOVERNANCE mode for the retention period, SSE-KMS with the bucket’s key, with its content type', async () => {
    const prefix = prefixOf(enforced);
    for (const [file, contentType] of [
      ['finding.json', 'application/json; charset=utf-8'],
      ['console-output.txt', 'text/plain; charset=utf-8'],
      ['report.json', 'application/json; charset=utf-8'],
    ] as const) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}${file}` }));
      expect({ file, mode: head.ObjectLockMode, sse: head.ServerSideEncryption, key: head.SSEKMSKeyId, type: head.ContentType }).toEqual({
        file,
        mode: 'GOVERNANCE',
        sse: 'aws:kms',
        key: KEY_ARN,
        type: contentType,
      });
      const lockedFor = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / DAY_MS;
      expect(lockedFor).toBeGreaterThan(RETENTION_DAYS - 1);
      expect(lockedFor).toBeLessThanOrEqual(RETENTION_DAYS + 1);
    }
  });

  it('refuses to delete a locked version without the governance bypass', async () => {
    const key = `${prefixOf(enforced)}finding.json`;
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
    const versionId = listed.Versions![0]!.VersionId!;
    await expect(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await text(key, versionId)).toContain(findingId);
  });
});

describe('a dry-run keeps its evidence and changes nothing in the finding’s account', () => {
  it('leaves the member account exactly as it was, yet writes the record of what it would have done', () => {
    expect(dryRun.blockedBy).toContain('dry-run');
    expect(dryRun.steps.filter((s) => s.mutating).every((s) => s.status === 'skipped')).toBe(true);
    expect(memberAfterDryRun).toEqual(memberBefore);
    expect(dryRun.steps.filter((s) => s.id.startsWith('evidence:')).every((s) => s.status === 'done')).toBe(true);
  });

  it('is the first version of each object; the enforced run of the same finding is the second, both kept', async () => {
    const key = `${prefixOf(enforced)}plan.json`;
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
    const versions = (listed.Versions ?? []).filter((v) => v.Key === key);
    expect(versions).toHaveLength(2);
    const plans = await Promise.all(versions.map(async (v) => (JSON.parse(await text(key, v.VersionId)) as { dryRun: boolean }).dryRun));
    expect(plans.sort()).toEqual([false, true]);
  });
});
