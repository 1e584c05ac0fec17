import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, DeleteObjectCommand, GetBucketPolicyCommand, GetObjectTaggingCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import { requiredIamActions } from '../../../../lambda/playbooks/registry';
import type { Report } from '../../../../lambda/plan/document';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { OBJECT_FIXTURE, s3Error, s3Finding } from '../../../support/aws-mocks/s3-findings';

/*
 * quarantine-object (tag mode) end to end with mocked S3 and ledger: the exact version
 * is read and tagged (with VersionId and ExpectedBucketOwner), its own tags
 * kept and recorded first; nothing is deleted or copied (copy mode: copy-mode.test.ts).
 */

const BUCKET = 'uploads-prod';
const KEY = 'incoming/invoice-2026-11.pdf.exe';
const VERSION = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo';
const OWNER = '222222222222';
const VERSION_REQUEST = { Bucket: BUCKET, Key: KEY, VersionId: VERSION, ExpectedBucketOwner: OWNER };
const POLICY_WITH_DENY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyReadingQuarantinedObjects',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject*',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' }, ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole' } },
    },
  ],
});
const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const order: string[] = [];

beforeEach(() => {
  order.length = 0;
  s3.reset();
  dynamodb.reset();
  s3.rejects(s3Error('UnexpectedCall'));
  s3.on(GetObjectTaggingCommand).resolves({ VersionId: VERSION, TagSet: [{ Key: 'uploaded-by', Value: 'portal' }] });
  s3.on(GetBucketPolicyCommand).resolves({ Policy: POLICY_WITH_DENY });
  s3.on(PutObjectTaggingCommand).callsFake(() => (order.push('PutObjectTagging'), {}));
  dynamodb.on(UpdateItemCommand).callsFake(() => (order.push('UpdateItem'), {}));
});
afterAll(() => [s3, dynamodb].forEach((mock) => mock.restore()));

async function run(finding = s3Finding(OBJECT_FIXTURE), config: Partial<RuntimeConfig> = {}): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false }, ...config },
    clients,
    dryRun: false,
    responder: { protectedRoleNames: [] },
    restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table'),
  });
}

function recorded(input: UpdateItemCommandInput): Record<string, unknown> {
  const names = input.ExpressionAttributeNames ?? {};
  return Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, input.ExpressionAttributeValues?.[`:${alias.slice(1)}`]]));
}

const stepOf = (report: Report, id: string) => report.steps.find((s) => s.id === id);

describe('quarantine-object', () => {
  it('reads the version and the bucket policy, records the version tags, then tags that exact version keeping its tags', async () => {
    const report = await run();

    expect(s3.commandCalls(GetObjectTaggingCommand).map((c) => c.args[0].input)).toEqual([VERSION_REQUEST]);
    expect(s3.commandCalls(GetBucketPolicyCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, ExpectedBucketOwner: OWNER }]);
    expect(s3.commandCalls(PutObjectTaggingCommand).map((c) => c.args[0].input)).toEqual([
      {
        ...VERSION_REQUEST,
        Tagging: {
          TagSet: [
            { Key: 'uploaded-by', Value: 'portal' },
            { Key: 'ir:quarantine', Value: 'quarantined' },
          ],
        },
      },
    ]);
    expect(order).toEqual(['UpdateItem', 'PutObjectTagging']);
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: { S: `restore#${OWNER}#s3:${BUCKET}/${KEY}#${VERSION}` } });
    expect(update.ExpressionAttributeValues?.[':kind']).toEqual({ S: 'object' });
    expect(recorded(update)).toEqual({
      objectTags: { L: [{ M: { Key: { S: 'uploaded-by' }, Value: { S: 'portal' } } }] },
      objectQuarantine: { S: JSON.stringify({ mode: 'tag', tagKey: 'ir:quarantine' }) },
    });
    expect(stepOf(report, 'tag-object-version')).toMatchObject({ status: 'done', action: 's3:PutObjectVersionTagging', detail: expect.stringMatching(/^quarantined: the policy of bucket uploads-prod denies reading it/), evidence: { contained: true } });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(report.resource).toMatchObject({ bucket: BUCKET, key: KEY, versionId: VERSION, policyHonoursTag: true });
    expect(report.warnings.join('\n')).not.toContain('does NOT stop anyone');
  });

  it('warns loudly when the bucket policy has no Deny statement for the tag (the tag alone stops nobody)', async () => {
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    const report = await run();
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringContaining('the tag alone does NOT stop anyone reading the object')]));
    expect(report.resource).toMatchObject({ policyHonoursTag: false });
    expect(stepOf(report, 'tag-object-version')).toMatchObject({
      status: 'done',
      detail: expect.stringMatching(/^tagged, NOT quarantined: the policy of bucket uploads-prod does not deny reading it \(the bucket has no policy\)/),
      evidence: { contained: false },
    });
  });

  it('says NOT quarantined when the policy exempts a role of that name in any account', async () => {
    const anyAccount = JSON.parse(POLICY_WITH_DENY) as { Statement: { Condition: Record<string, unknown> }[] };
    anyAccount.Statement[0]!.Condition.ArnNotEquals = { 'aws:PrincipalArn': 'arn:aws:iam::*:role/IncidentResponseMemberRole' };
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(anyAccount) });
    const report = await run();
    expect(report.resource).toMatchObject({ policyHonoursTag: false });
    expect(stepOf(report, 'tag-object-version')).toMatchObject({ status: 'done', detail: expect.stringContaining('exempts arn:aws:iam::*:role/IncidentResponseMemberRole'), evidence: { contained: false } });
    expect(report.warnings.join('\n')).toContain('tagged but NOT quarantined');
  });

  it('says NOT quarantined when the policy exempts every principal of the bucket account (aws:PrincipalAccount)', async () => {
    const wholeAccount = JSON.parse(POLICY_WITH_DENY) as { Statement: { Condition: Record<string, unknown> }[] };
    wholeAccount.Statement[0]!.Condition.StringNotEquals = { 'aws:PrincipalAccount': OWNER };
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(wholeAccount) });
    const report = await run();
    expect(report.resource).toMatchObject({ policyHonoursTag: false });
    expect(stepOf(report, 'tag-object-version')).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('NOT quarantined: the policy of bucket uploads-prod does not deny reading it (statement DenyReadingQuarantinedObjects: the policy exempts every principal of account 222222222222'),
      evidence: { contained: false },
    });
  });

  it('counts the exact configured security team role as an exception, and names who may still read', async () => {
    const TEAM = 'arn:aws:iam::111111111111:role/SecurityTeam';
    const withTeam = JSON.parse(POLICY_WITH_DENY) as { Statement: { Condition: Record<string, unknown> }[] };
    withTeam.Statement[0]!.Condition.ArnNotEquals = { 'aws:PrincipalArn': [TEAM, 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole'] };
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(withTeam) });
    const unconfigured = await run();
    expect(stepOf(unconfigured, 'tag-object-version')).toMatchObject({ detail: expect.stringContaining(`the policy exempts ${TEAM}; only the exact role ARN`), evidence: { contained: false } });
    const config = { s3Quarantine: { mode: 'tag' as const, tagKey: 'ir:quarantine', securityTeamRoleArn: TEAM } };
    const report = await run(undefined, config);
    expect(stepOf(report, 'tag-object-version')).toMatchObject({ evidence: { contained: true } });
    expect(report.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining(`once tagged, the version is readable only by arn:aws:iam::222222222222:role/IncidentResponseMemberRole and ${TEAM} (the bucket policy may exempt no one else)`)]),
    );
  });

  it('warns when the policy lets anyone change the tags of a quarantined version, not when it denies that too', async () => {
    const unguarded = await run();
    expect(unguarded.warnings.join('\n')).toContain('does not deny changing the tags of a version tagged ir:quarantine=quarantined');
    const guarded = JSON.parse(POLICY_WITH_DENY) as { Statement: Record<string, unknown>[] };
    guarded.Statement.push({
      ...guarded.Statement[0]!,
      Sid: 'DenyUntaggingQuarantinedObjects',
      Action: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
    });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(guarded) });
    const report = await run();
    expect(report.warnings.join('\n')).not.toContain('does not deny changing the tags');
    expect(stepOf(report, 'tag-object-version')?.evidence).toEqual({ contained: true });
  });

  it('says tagged, NOT known to be quarantined, when the policy could not be read', async () => {
    s3.on(GetBucketPolicyCommand).rejects(s3Error('AccessDenied'));
    const report = await run();
    expect(stepOf(report, 'tag-object-version')).toMatchObject({ status: 'done', detail: expect.stringContaining('tagged, NOT known to be quarantined'), evidence: { contained: false } });
  });

  it('uses the configured tag key, and a policy on another key does not count', async () => {
    const config = { s3Quarantine: { mode: 'tag' as const, tagKey: 'security/quarantine' } };
    const report = await run(undefined, config);
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]!.args[0].input.Tagging?.TagSet).toEqual([
      { Key: 'uploaded-by', Value: 'portal' },
      { Key: 'security/quarantine', Value: 'quarantined' },
    ]);
    expect(report.resource).toMatchObject({ policyHonoursTag: false, quarantineTag: 'security/quarantine=quarantined' });
  });

  it('tags the object under the key (no VersionId) when the finding names no version, and says so', async () => {
    const finding = s3Finding(OBJECT_FIXTURE, (detail) => {
      delete (detail.resource as { s3BucketDetails: { s3ObjectDetails: Record<string, unknown>[] }[] }).s3BucketDetails[0]!.s3ObjectDetails[0]!.versionId;
    });
    const report = await run(finding);
    const unversioned = { Bucket: BUCKET, Key: KEY, ExpectedBucketOwner: OWNER };
    expect(s3.commandCalls(GetObjectTaggingCommand)[0]!.args[0].input).toEqual(unversioned);
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]!.args[0].input).toEqual({ ...unversioned, Tagging: expect.any(Object) });
    expect(stepOf(report, 'tag-object-version')?.action).toBe('s3:PutObjectTagging');
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringContaining('the finding names no version')]));
  });

  it('skips a version already quarantined', async () => {
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'ir:quarantine', Value: 'quarantined' }] });
    const report = await run();
    expect(stepOf(report, 'tag-object-version')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('already carries ir:quarantine=quarantined') });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it('leaves out the last of 10 uploader tags (recorded first) so that the quarantine tag fits', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: ten });
    const report = await run();
    expect(s3.commandCalls(PutObjectTaggingCommand).map((c) => c.args[0].input.Tagging?.TagSet)).toEqual([[...ten.slice(0, 9), { Key: 'ir:quarantine', Value: 'quarantined' }]]);
    expect(order).toEqual(['UpdateItem', 'PutObjectTagging']);
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect((recorded(update).objectTags as { L: unknown[] }).L).toHaveLength(10);
    expect(stepOf(report, 'tag-object-version')).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('its tag k9=v9 left out to make room, S3 allows 10: the restore record holds it'),
      evidence: { contained: true, droppedTag: { Key: 'k9', Value: 'v9' } },
    });
  });

  it('changes nothing when the version is gone (no change planned) or not in a bucket of the finding account (blocked)', async () => {
    s3.on(GetObjectTaggingCommand).rejects(s3Error('NoSuchVersion'));
    const gone = await run();
    expect(gone.steps.map((s) => s.id)).not.toContain('tag-object-version');
    expect(gone.warnings[0]).toContain('does not exist (NoSuchVersion): there is nothing to quarantine');
    s3.on(GetObjectTaggingCommand).rejects(s3Error('AccessDenied'));
    const denied = await run();
    expect(denied.guards.find((g) => g.id === 'object-verified')).toMatchObject({ blocks: true, reason: expect.stringContaining('AccessDenied') });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('changes nothing when the restore record cannot be written', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('boom'), { name: 'AccessDeniedException' }));
    const report = await run();
    expect(stepOf(report, 'record-restore:object')?.status).toBe('failed');
    expect(stepOf(report, 'tag-object-version')?.status).toBe('skipped');
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it('the role: tag mode\'s tagging, and copy mode\'s copy and version delete (never s3:DeleteObject)', () => {
    const actions = requiredIamActions('quarantine-object');
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([
      's3:DeleteObjectVersion',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketVersioning',
      's3:GetObject',
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
      's3:PutObject',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ]);
  });
});
