import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../../lambda/config/schema';
import { policyGuardsQuarantineTag, policyHonoursQuarantineTag, quarantineExemptions } from '../../../../lambda/playbooks/quarantine-object/policy-statement';
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

describe('quarantineExemptions', () => {
  const base = { accountId: '222222222222', memberRoleName: 'IncidentResponseMemberRole' };

  it('is the member role of the bucket account, exactly, and the configured security team role', () => {
    expect(quarantineExemptions({ ...base, partition: 'aws', securityTeamRoleArn: 'arn:aws:iam::111111111111:role/SecurityTeam' })).toEqual([
      'arn:aws:iam::222222222222:role/IncidentResponseMemberRole',
      'arn:aws:iam::111111111111:role/SecurityTeam',
    ]);
    expect(quarantineExemptions({ ...base, partition: 'aws-us-gov', securityTeamRoleArn: undefined })).toEqual(['arn:aws-us-gov:iam::222222222222:role/IncidentResponseMemberRole']);
  });

  it('takes aws for a missing or forged partition, and names a role once', () => {
    expect(quarantineExemptions({ ...base, partition: null, securityTeamRoleArn: undefined })).toEqual(['arn:aws:iam::222222222222:role/IncidentResponseMemberRole']);
    expect(quarantineExemptions({ ...base, partition: 'aws:iam::*:role/x#', securityTeamRoleArn: undefined })).toEqual(['arn:aws:iam::222222222222:role/IncidentResponseMemberRole']);
    expect(quarantineExemptions({ ...base, partition: 'aws', securityTeamRoleArn: 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole' })).toEqual([
      'arn:aws:iam::222222222222:role/IncidentResponseMemberRole',
    ]);
  });
});

describe('policyHonoursQuarantineTag', () => {
  const MEMBER = 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole';
  const TEAM = 'arn:aws:iam::111111111111:role/SecurityTeam';
  const exemptRoleArns = quarantineExemptions({ partition: 'aws', accountId: '222222222222', memberRoleName: 'IncidentResponseMemberRole', securityTeamRoleArn: TEAM });
  const object = { bucket: 'uploads-prod', key: 'incoming/a.exe', accountId: '222222222222', tagKey: 'ir:quarantine', exemptRoleArns };
  const onTag = { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' } };
  const statement = (over: Json) =>
    JSON.stringify({ Statement: [{ Sid: 'Q', Effect: 'Deny', Principal: '*', Action: 's3:GetObject*', Resource: 'arn:aws:s3:::uploads-prod/*', Condition: onTag, ...over }] });
  const except = (arns: string[], operator = 'ArnNotLike') => statement({ Condition: { ...onTag, [operator]: { 'aws:PrincipalArn': arns } } });
  const withCondition = (extra: Json) => statement({ Condition: { ...onTag, ...extra } });

  it.each([
    ['s3:GetObject*', statement({}), true],
    ['both reads listed', statement({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }), true],
    ['Principal {AWS: "*"} and Resource "*"', statement({ Principal: { AWS: '*' }, Resource: '*' }), true],
    ['a prefix covering the key', statement({ Resource: ['arn:aws:s3:::uploads-prod/incoming/*'] }), true],
    ['ArnNotLike: the exact member role and security team role', except([MEMBER, TEAM]), true],
    ['ArnNotEquals: the exact member role', except([MEMBER], 'ArnNotEquals'), true],
    ['StringNotEquals: the exact security team role', except([TEAM], 'StringNotEquals'), true],
    ['StringNotLike: both, exactly', except([TEAM, MEMBER], 'StringNotLike'), true],
    ['only s3:GetObject (a version by id stays readable)', statement({ Action: 's3:GetObject' }), false],
    ['an Allow', statement({ Effect: 'Allow' }), false],
    ['another tag key', statement({ Condition: { StringEquals: { 's3:ExistingObjectTag/other': 'quarantined' } } }), false],
    ['another value', statement({ Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'yes' } } }), false],
    ['a role of that name in any account', except(['arn:aws:iam::*:role/IncidentResponseMemberRole']), false],
    ['a wildcard role name in the bucket account', except([MEMBER, 'arn:aws:iam::222222222222:role/IncidentResponse*']), false],
    ['every role of the bucket account', except(['arn:aws:iam::222222222222:role/*']), false],
    ['a one-character wildcard', except(['arn:aws:iam::222222222222:role/IncidentResponseMemberRol?']), false],
    ['another role of the bucket account, exact', except([MEMBER, 'arn:aws:iam::222222222222:role/Admin'], 'ArnNotEquals'), false],
    ['the bucket account root', except(['arn:aws:iam::222222222222:root'], 'ArnNotEquals'), false],
    ['a session of the member role (an sts ARN)', except(['arn:aws:sts::222222222222:assumed-role/IncidentResponseMemberRole/x']), false],
    ['the member role name in another case', except(['arn:aws:iam::222222222222:role/incidentresponsememberrole']), false],
    ['the member role of another account', except(['arn:aws:iam::333333333333:role/IncidentResponseMemberRole']), false],
    ['a role of another account, not configured', except(['arn:aws:iam::333333333333:role/SecurityTeam']), false],
    ['a wildcard ARN', except(['*']), false],
    ['the bucket account by aws:PrincipalAccount', withCondition({ StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } }), false],
    ['the bucket account by aws:PrincipalAccount, with exact roles too', withCondition({ ArnNotEquals: { 'aws:PrincipalArn': [MEMBER] }, StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } }), false],
    ['another account by aws:PrincipalAccount', withCondition({ StringNotEquals: { 'aws:PrincipalAccount': '333333333333' } }), false],
    ['an organisation by aws:PrincipalOrgID', withCondition({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }), false],
    ['an organisation path', withCondition({ 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/*' } }), false],
    ['ArnLike with * (the Deny for those principals only)', withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }), false],
    ['an exact exception under an ...IgnoreCase operator', except([MEMBER], 'StringNotEqualsIgnoreCase'), false],
    ['an exact exception under an ...IfExists operator', except([MEMBER], 'ArnNotLikeIfExists'), false],
    ['a condition narrowing the Deny', withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), false],
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

  it('says why, naming the statement and the wildcard it exempts', () => {
    expect(policyHonoursQuarantineTag(except(['arn:aws:iam::*:role/IncidentResponseMemberRole']), object)).toEqual({
      honours: false,
      why: `statement Q: the policy exempts arn:aws:iam::*:role/IncidentResponseMemberRole (a wildcard: every principal it matches is exempt); only the exact role ARN ${MEMBER} or ${TEAM} may be exempt`,
    });
  });

  it('says why, naming the account a PrincipalAccount exception exempts', () => {
    expect(policyHonoursQuarantineTag(withCondition({ StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } }), object)).toEqual({
      honours: false,
      why: `statement Q: the policy exempts every principal of account 222222222222 (StringNotEquals aws:PrincipalAccount); only the exact role ARN ${MEMBER} or ${TEAM} may be exempt`,
    });
  });

  it('says why for an exact role that is not one the quarantine may exempt', () => {
    expect(policyHonoursQuarantineTag(except(['arn:aws:iam::222222222222:role/Admin'], 'ArnNotEquals'), object)).toEqual({
      honours: false,
      why: `statement Q: the policy exempts arn:aws:iam::222222222222:role/Admin; only the exact role ARN ${MEMBER} or ${TEAM} may be exempt`,
    });
  });
});

describe('policyGuardsQuarantineTag (the statement that keeps the tag on) follows the same rule', () => {
  const MEMBER = 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole';
  const object = { bucket: 'uploads-prod', key: 'incoming/a.exe', accountId: '222222222222', tagKey: 'ir:quarantine', exemptRoleArns: [MEMBER] };
  const TAG_CHANGES = ['s3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'];
  const guard = (exceptions: Json) =>
    JSON.stringify({
      Statement: [
        { Sid: 'DenyUntaggingQuarantinedObjects', Effect: 'Deny', Principal: '*', Action: TAG_CHANGES, Resource: 'arn:aws:s3:::uploads-prod/*', Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' }, ...exceptions } },
      ],
    });

  it.each([
    ['the exact member role', guard({ ArnNotEquals: { 'aws:PrincipalArn': MEMBER } }), true],
    ['a wildcard role name', guard({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/Incident*' } }), false],
    ['a role of that name in any account', guard({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/IncidentResponseMemberRole' } }), false],
    ['the bucket account by aws:PrincipalAccount', guard({ StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } }), false],
    ['the bucket account root', guard({ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:root' } }), false],
  ])('%s', (_what, policy, guards) => {
    expect(policyGuardsQuarantineTag(policy, object)).toBe(guards);
  });
});

describe('the statements docs/playbooks-s3.md gives', () => {
  const docs = readFileSync(join(__dirname, '../../../../docs/playbooks-s3.md'), 'utf8');
  const given = docs.slice(docs.indexOf('```json') + '```json'.length, docs.indexOf('```', docs.indexOf('```json') + 1));
  const TEAM = 'arn:aws:iam::111111111111:role/SecurityTeam';
  const filled = JSON.parse(given.replace(/BUCKET_ACCOUNT/g, '222222222222').replace(/SECURITY_ACCOUNT/g, '111111111111').replace(/BUCKET/g, 'uploads-prod')) as Json;
  const exemptRoleArns = quarantineExemptions({ partition: 'aws', accountId: '222222222222', memberRoleName: 'IncidentResponseMemberRole', securityTeamRoleArn: TEAM });
  const object = { bucket: 'uploads-prod', key: 'incoming/a.exe', accountId: '222222222222', tagKey: 'ir:quarantine', exemptRoleArns };
  const untagging = { ...filled, Sid: 'DenyUntaggingQuarantinedObjects', Action: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'] };

  it('count as a quarantine that keeps its tag on, with the configured security team role and the default member role', () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [filled, untagging] });
    expect(policyHonoursQuarantineTag(policy, object)).toEqual({ honours: true });
    expect(policyGuardsQuarantineTag(policy, object)).toBe(true);
  });

  it('do not count when the security team role is not the configured one', () => {
    const other = { ...object, exemptRoleArns: quarantineExemptions({ partition: 'aws', accountId: '222222222222', memberRoleName: 'IncidentResponseMemberRole', securityTeamRoleArn: undefined }) };
    expect(policyHonoursQuarantineTag(JSON.stringify({ Statement: [filled] }), other).honours).toBe(false);
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
