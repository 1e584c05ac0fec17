import { parseConfig } from '../../../../lambda/config/schema';
import { policyHonoursQuarantineTag } from '../../../../lambda/playbooks/quarantine-object/policy-statement';
import { bucketTargetOf, objectTargetOf } from '../../../../lambda/playbooks/s3/target';
import { planBucketRelease } from '../../../../lambda/release/bucket';
import { objectRestoreKey } from '../../../../lambda/ledger/restore-record';
import { configError } from '../../../support/errors';
import { BUCKET_FIXTURE, OBJECT_FIXTURE, s3Finding } from '../../../support/aws-mocks/s3-findings';

/* What the S3 playbooks take from a finding, the configuration and a bucket policy, checked before use. */

type Json = Record<string, unknown>;
const bucketOf = (detail: Json) => ((detail.resource as Json).s3BucketDetails as Json[])[0]!;
const objectOf = (detail: Json) => (bucketOf(detail).s3ObjectDetails as Json[])[0]!;

describe('the bucket and object a finding names', () => {
  it('is the one bucket, in the finding account, with its tags', () => {
    expect(bucketTargetOf(s3Finding(BUCKET_FIXTURE))).toEqual({ kind: 'bucket', accountId: '222222222222', bucket: 'web-assets-prod', tags: { team: 'web' } });
  });

  it('is the one object version of a malware finding', () => {
    expect(objectTargetOf(s3Finding(OBJECT_FIXTURE))).toMatchObject({
      kind: 'object',
      bucket: 'uploads-prod',
      key: 'incoming/invoice-2026-11.pdf.exe',
      versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo',
      eTag: '0f343b0931126a20f133d67c2b018a3b',
    });
  });

  it.each([
    ['two buckets', (d: Json) => ((d.resource as Json).s3BucketDetails as Json[]).push({ name: 'other-bucket' }), 'names 2 buckets'],
    ['no bucket', (d: Json) => ((d.resource as Json).s3BucketDetails = []), 'names 0 buckets'],
    ['an upper-case name', (d: Json) => (bucketOf(d).name = 'Web-Assets'), 'must be an S3 bucket name'],
    ['a name with a slash', (d: Json) => (bucketOf(d).name = 'web/assets'), 'must be an S3 bucket name'],
    ['no account', (d: Json) => delete d.accountId, 'names no account'],
  ])('is refused with %s', (_what, edit, why) => {
    expect(bucketTargetOf(s3Finding(BUCKET_FIXTURE, edit))).toEqual({ kind: 'untargeted', why: expect.stringContaining(why) });
  });

  it.each([
    ['a key with a control character', (d: Json) => (objectOf(d).key = 'a\u0000b'), 'holds control characters'],
    ['a key over 1024 bytes', (d: Json) => (objectOf(d).key = 'é'.repeat(513)), 'longer than 1024 bytes'],
    ['a version id with a space', (d: Json) => (objectOf(d).versionId = 'a b'), 'must be an S3 version id'],
    ['two objects', (d: Json) => (bucketOf(d).s3ObjectDetails as Json[]).push({ key: 'x' }), 'names 2 objects'],
  ])('refuses an object with %s', (_what, edit, why) => {
    expect(objectTargetOf(s3Finding(OBJECT_FIXTURE, edit))).toEqual({ kind: 'untargeted', why: expect.stringContaining(why) });
  });
});

describe('s3Quarantine (configuration)', () => {
  it('defaults to the tag mode with the ir:quarantine key', () => {
    expect(parseConfig({}, 'cdk.json').s3Quarantine).toEqual({ mode: 'tag', tagKey: 'ir:quarantine' });
  });

  it('takes another tag key and the security team role', () => {
    const role = 'arn:aws:iam::111122223333:role/SecurityTeam';
    expect(parseConfig({ s3Quarantine: { tagKey: 'security/quarantine', securityTeamRoleArn: role } }, 'cdk.json').s3Quarantine).toEqual({
      mode: 'tag',
      tagKey: 'security/quarantine',
      securityTeamRoleArn: role,
    });
  });

  it.each([
    [{ mode: 'copy' }, 's3Quarantine.quarantineBucket'],
    [{ mode: 'move' }, 's3Quarantine.mode'],
    [{ tagKey: 'aws:quarantine' }, 'must not start with "aws:"'],
    [{ tagKey: '' }, 's3Quarantine.tagKey'],
    [{ securityTeamRoleArn: 'SecurityTeam' }, 'must be the ARN of an IAM role'],
    [{ quarantineBucket: 'x' }, 'quarantineBucket'],
  ])('refuses %j, naming the key', (value, message) => {
    expect(configError({ s3Quarantine: value })).toContain(message);
  });
});

describe('policyHonoursQuarantineTag', () => {
  const object = { bucket: 'uploads-prod', key: 'incoming/a.exe', accountId: '222222222222', tagKey: 'ir:quarantine', exemptRoleArns: ['arn:aws:iam::111111111111:role/SecurityTeam'] };
  const onTag = { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' } };
  const statement = (over: Json) =>
    JSON.stringify({ Statement: [{ Sid: 'Q', Effect: 'Deny', Principal: '*', Action: 's3:GetObject*', Resource: 'arn:aws:s3:::uploads-prod/*', Condition: onTag, ...over }] });
  const except = (arns: string[], operator = 'ArnNotLike') => statement({ Condition: { ...onTag, [operator]: { 'aws:PrincipalArn': arns } } });

  it.each([
    ['s3:GetObject*', statement({}), true],
    ['both reads listed', statement({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }), true],
    ['Principal {AWS: "*"} and Resource "*"', statement({ Principal: { AWS: '*' }, Resource: '*' }), true],
    ['a prefix covering the key', statement({ Resource: ['arn:aws:s3:::uploads-prod/incoming/*'] }), true],
    ['exceptions: own account roles and the configured security team role', except(['arn:aws:iam::222222222222:role/IncidentResponseMemberRole', 'arn:aws:iam::111111111111:role/SecurityTeam']), true],
    ['exception: the own account by aws:PrincipalAccount', statement({ Condition: { ...onTag, StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } } }), true],
    ['only s3:GetObject (a version by id stays readable)', statement({ Action: 's3:GetObject' }), false],
    ['an Allow', statement({ Effect: 'Allow' }), false],
    ['another tag key', statement({ Condition: { StringEquals: { 's3:ExistingObjectTag/other': 'quarantined' } } }), false],
    ['another value', statement({ Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'yes' } } }), false],
    ['a role of that name in any account', except(['arn:aws:iam::*:role/IncidentResponseMemberRole']), false],
    ['a role of another account, not configured', except(['arn:aws:iam::333333333333:role/SecurityTeam']), false],
    ['a wildcard ARN', except(['*']), false],
    ['another account by aws:PrincipalAccount', statement({ Condition: { ...onTag, StringNotEquals: { 'aws:PrincipalAccount': '333333333333' } } }), false],
    ['a condition narrowing the Deny', statement({ Condition: { ...onTag, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), false],
    ['another key under the tag operator', statement({ Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined', 'aws:SourceVpc': 'vpc-1' } } }), false],
    ['one principal only', statement({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } }), false],
    ['NotPrincipal', statement({ Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::333333333333:root' } }), false],
    ['NotAction', statement({ Action: undefined, NotAction: 's3:PutObject' }), false],
    ['another bucket', statement({ Resource: 'arn:aws:s3:::other-bucket/*' }), false],
    ['another prefix', statement({ Resource: 'arn:aws:s3:::uploads-prod/outgoing/*' }), false],
    ['the bucket ARN only', statement({ Resource: 'arn:aws:s3:::uploads-prod' }), false],
    ['NotResource', statement({ Resource: undefined, NotResource: 'arn:aws:s3:::uploads-prod/public/*' }), false],
    ['no policy', null, false],
    ['not JSON', '{', false],
  ])('%s', (_what, policy, honours) => {
    expect(policyHonoursQuarantineTag(policy, object).honours).toBe(honours);
  });

  it('says why, naming the statement and the stranger it exempts', () => {
    expect(policyHonoursQuarantineTag(except(['arn:aws:iam::*:role/IncidentResponseMemberRole']), object)).toEqual({
      honours: false,
      why: 'statement Q: it exempts arn:aws:iam::*:role/IncidentResponseMemberRole, which is neither a principal of account 222222222222 nor a configured security team role',
    });
  });
});

describe('planBucketRelease', () => {
  const on = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  const before = { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false };

  it('puts back the recorded settings with ExpectedBucketOwner', () => {
    const { steps, warnings } = planBucketRelease('web-assets-prod', '222222222222', before, on);
    expect(steps.map((s) => [s.id, s.action, s.parameters])).toEqual([
      ['restore-public-access-block', 's3:PutBucketPublicAccessBlock', { Bucket: 'web-assets-prod', ExpectedBucketOwner: '222222222222', PublicAccessBlockConfiguration: before }],
    ]);
    expect(warnings).toEqual([]);
  });

  it('removes the block when the bucket had none', () => {
    expect(planBucketRelease('web-assets-prod', '222222222222', null, on).steps.map((s) => [s.id, s.parameters])).toEqual([
      ['remove-public-access-block', { Bucket: 'web-assets-prod', ExpectedBucketOwner: '222222222222' }],
    ]);
  });

  it('leaves a block someone changed since, and one that was all on before', () => {
    expect(planBucketRelease('b-one', '222222222222', null, { ...on, RestrictPublicBuckets: false })).toMatchObject({ steps: [], warnings: [expect.stringContaining('changed since the response')] });
    expect(planBucketRelease('b-one', '222222222222', null, null)).toMatchObject({ steps: [], warnings: [expect.stringContaining('changed since the response')] });
    expect(planBucketRelease('b-one', '222222222222', on, on)).toMatchObject({ steps: [], warnings: [expect.stringContaining('before the response already')] });
  });
});

describe('ledger keys of an object version', () => {
  it('name the version, and hash a name too long for a DynamoDB key (2048 bytes)', () => {
    expect(objectRestoreKey('222222222222', 'uploads-prod', 'a/b.exe', 'v1')).toBe('restore#222222222222#s3:uploads-prod/a/b.exe#v1');
    expect(objectRestoreKey('222222222222', 'uploads-prod', 'a/b.exe', null)).toBe('restore#222222222222#s3:uploads-prod/a/b.exe#null');
    const long = objectRestoreKey('222222222222', 'uploads-prod', 'é'.repeat(512), 'v'.repeat(1024));
    expect(long).toMatch(/^restore#222222222222#s3:uploads-prod\/sha256:[0-9a-f]{64}$/);
    expect(objectRestoreKey('222222222222', 'uploads-prod', 'é'.repeat(512), 'v'.repeat(1023))).not.toBe(long);
  });
});
