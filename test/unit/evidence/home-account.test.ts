import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { respond } from '../../../lambda/respond/respond';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID as MEMBER, answerFromWorld, defaultWorld, mockContainClients } from '../../support/aws-mocks/contain-world';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { signingKeys } from '../../support/aws-mocks/signing-keys';

/*
 * A finding of a member account: the console output is read there, with the
 * member role's session, and the evidence is written with the security
 * account's own credentials, to its bucket.
 */

const HOME_KEY = 'AKIAHOMEACCOUNT';
const MEMBER_KEY = 'ASIAMEMBERSESSION';

const mocks = mockContainClients();
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);

afterAll(() => {
  for (const stub of [...Object.values(mocks), sts, s3]) stub.restore();
});

it('reads the console in the member account and writes the evidence as the security account, in the bucket’s region', async () => {
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  mocks.ec2.on(GetConsoleOutputCommand).resolves({ Output: Buffer.from('boot').toString('base64') });
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  const access = new AccountAccess({
    home: async () => ({ accountId: '111111111111', partition: 'aws' }),
    memberRoleName: 'IncidentResponseMemberRole',
    base: { maxAttempts: 1, credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home-secret' } },
    clientClasses: EVERY_CLIENT,
  });
  const report = await respond(containFinding(), {
    config: enforceConfig(),
    access,
    dryRun: false,
    responder: RESPONDER,
    now: () => NOW,
    evidence: { bucket: 'ir-evidence', region: 'eu-central-1' },
  });
  expect(report.accountId).toBe(MEMBER);
  expect(report.steps.filter((s) => s.id.startsWith('evidence:')).map((s) => [s.id, s.status])).toEqual([
    ['evidence:finding.json', 'done'],
    ['evidence:plan.json', 'done'],
    ['evidence:describe.json', 'done'],
    ['evidence:read-console-output', 'done'],
    ['evidence:console-output.txt', 'done'],
    ['evidence:report.json', 'done'],
  ]);
  expect(await signingKeys({ calls: () => mocks.ec2.commandCalls(GetConsoleOutputCommand) })).toEqual([MEMBER_KEY]);
  expect(await signingKeys(s3)).toEqual([HOME_KEY]);
  const regions = await Promise.all(s3.calls().map((c) => (c.thisValue as S3Client).config.region()));
  expect([...new Set(regions)]).toEqual(['eu-central-1']);
  // No key named: the bucket's default key applies, and the request still says SSE-KMS.
  expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'ir-evidence', ServerSideEncryption: 'aws:kms' });
  expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).not.toHaveProperty('SSEKMSKeyId');
});
