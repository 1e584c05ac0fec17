import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketAclCommand, GetBucketPolicyStatusCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import type { Finding } from '../../../lambda/finding/schema';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import type { Report } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import { enforceConfig } from '../../support/aws-mocks/contain-finding';
import { guardDutyHolds, heldFinding, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { BUCKET_FIXTURE, s3Error, s3Finding } from '../../support/aws-mocks/s3-findings';

/*
 * REVIEW N3's attack end to end, on the response path in enforce mode: a
 * real finding about one bucket, copied with another bucket written in
 * (a direct invoke can deliver anything). Before this, GuardDuty's
 * confirmation passed it (id, type, account and resource type all match)
 * and block-public-access turned Block Public Access on for the bucket the
 * attacker chose. Now the plan is shown, nothing changes, and the reason
 * names the fields.
 */

const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const GENUINE = 'web-assets-prod';
const VICTIM = 'company-website';

beforeEach(() => {
  s3.reset();
  dynamodb.reset();
  s3.rejects(s3Error('UnexpectedCall'));
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [] });
  s3.on(PutPublicAccessBlockCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});
afterAll(() => [s3, dynamodb].forEach((mock) => mock.restore()));

function aboutBucket(bucket: string): Finding {
  return s3Finding(BUCKET_FIXTURE, (detail) => {
    const [details] = (detail.resource as { s3BucketDetails: { name: string; arn: string }[] }).s3BucketDetails;
    details!.name = bucket;
    details!.arn = `arn:aws:s3:::${bucket}`;
  });
}

function run(finding: Finding): Promise<Report> {
  return respond(finding, {
    config: { ...enforceConfig(), securityHub: { ...enforceConfig().securityHub, updateFindings: false } },
    clients,
    dryRun: false,
    responder: { protectedRoleNames: [] },
    restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table'),
  });
}

it('a real finding’s copy naming another bucket: refused by the confirmation, no bucket changed', async () => {
  const genuine = aboutBucket(GENUINE);
  guardDutyHolds(guardDuty.mock, [heldFinding(genuine)]);
  const report = await run(aboutBucket(VICTIM));
  expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
  expect(report.guards.find((g) => g.id === FINDING_CONFIRMATION)?.reason).toContain(
    `resource.s3BucketDetails[0].name is "${VICTIM}" in the finding delivered, "${GENUINE}" in GuardDuty; resource.s3BucketDetails[0].arn is "arn:aws:s3:::${VICTIM}" in the finding delivered, "arn:aws:s3:::${GENUINE}" in GuardDuty`,
  );
  expect(report.steps.filter((s) => s.mutating && s.status !== 'skipped')).toEqual([]);
  expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
});

it('the same finding as GuardDuty holds it: Block Public Access turned on for GuardDuty’s bucket', async () => {
  const genuine = aboutBucket(GENUINE);
  guardDutyHolds(guardDuty.mock, [heldFinding(genuine)]);
  const report = await run(genuine);
  expect(report.blockedBy).toEqual([]);
  expect(s3.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input.Bucket)).toEqual([GENUINE]);
});
