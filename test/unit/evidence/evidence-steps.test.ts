import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../lambda/plan/document';
import { requiredIamActions } from '../../../lambda/playbooks/registry';
import { incidentIdOf } from '../../../lambda/respond/incident-id';
import { respond } from '../../../lambda/respond/respond';
import { undeclaredCalls } from '../../support/aws-mocks/contain-harness';
import { WITHOUT_SECURITY_HUB_NOTE, containFinding, enforceConfig, FINDING_ID, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID, answerFromWorld, awsError, defaultWorld, INSTANCE_ID, isReadOnlyAction, mockContainClients, receivedCalls } from '../../support/aws-mocks/contain-world';
import { createAwsClients, type AwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The evidence of a contain-instance response, through respond() with the
 * real SDK clients mocked at the client class: the exact PutObject requests,
 * the decoded console output, the order (after containment), and every way
 * a write or the console read can fail without touching containment.
 */

const BUCKET = 'guardduty-ir-evidence-bucket';
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-evidence';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const CONSOLE_TEXT = '[    0.000000] Linux version 6.1.0\nxmrig: mining pool stratum+tcp://198.51.100.77:3333 connected\n';
const INCIDENT_ID = incidentIdOf(containFinding());
const PREFIX = `incidents/${ACCOUNT_ID}/us-east-1/${INCIDENT_ID}/${FINDING_ID}/`;
const FILES = ['finding.json', 'plan.json', 'describe.json', 'console-output.txt', 'report.json'];

const mocks = mockContainClients();
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();
const s3 = mockClient(S3Client);
let clients: AwsClients;
/** The order the calls arrived in, across services. */
let order: string[];

beforeEach(() => {
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  order = [];
  mocks.ec2.on(GetConsoleOutputCommand).callsFake(async () => {
    order.push('GetConsoleOutput');
    return { InstanceId: INSTANCE_ID, Timestamp: NOW, Output: Buffer.from(CONSOLE_TEXT, 'utf8').toString('base64') };
  });
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  s3.reset();
  s3.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    order.push(`PutObject ${String(input.Key).slice(PREFIX.length)}`);
    return { VersionId: `v-${String(input.Key).slice(PREFIX.length)}` };
  });
  clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
});

afterEach(() => {
  // Every call the playbook made is one its role is derived with, the evidence calls included.
  expect(undeclaredCalls(receivedCalls(mocks), new Set(requiredIamActions('contain-instance')))).toEqual([]);
});

afterAll(() => {
  for (const stub of [...Object.values(mocks), s3]) stub.restore();
});

function run(finding: Finding = containFinding(), options: { dryRun?: boolean; bucket?: boolean } = {}): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: enforceConfig(WITHOUT_SECURITY_HUB_NOTE),
    clients,
    dryRun: options.dryRun ?? false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
    ...(options.bucket === false ? {} : { evidence: { bucket: BUCKET, keyArn: KEY_ARN, region: 'us-east-1' } }),
  });
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return found;
}

function put(file: string): PutObjectCommandInput {
  const call = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === `${PREFIX}${file}`);
  if (!call) throw new Error(`no PutObject of ${file}`);
  return call.args[0].input;
}

function body(file: string): unknown {
  return JSON.parse(String(put(file).Body));
}

const evidenceSteps = (report: Report) => report.steps.filter((s) => s.id.startsWith('evidence'));
const otherSteps = (report: Report) => report.steps.filter((s) => !s.id.startsWith('evidence')).map((s) => [s.id, s.status]);

describe('evidence of a contained instance', () => {
  let report: Report;

  beforeEach(async () => {
    report = await run();
  });

  it('writes the five objects under incidents/<account>/<region>/<incident>/<finding>/, KMS-encrypted with the bucket key, checksummed', () => {
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key).sort()).toEqual(FILES.map((f) => `${PREFIX}${f}`).sort());
    for (const file of FILES) {
      const { Body: _body, ...request } = put(file);
      expect(request).toEqual({
        Bucket: BUCKET,
        Key: `${PREFIX}${file}`,
        ContentType: file.endsWith('.txt') ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ARN,
        ChecksumAlgorithm: 'SHA256',
      });
    }
  });

  it('keeps the finding as received, the plan document, and every read with what AWS answered', () => {
    expect(body('finding.json')).toEqual(JSON.parse(JSON.stringify(containFinding())));
    const plan = body('plan.json') as Record<string, unknown>;
    expect(plan).toMatchObject({ playbook: 'contain-instance', findingId: FINDING_ID, incidentId: INCIDENT_ID, dryRun: false, blockedBy: [] });
    expect((plan.steps as { id: string }[]).map((s) => s.id)).toEqual(report.steps.map((s) => s.id));
    const describe = body('describe.json') as { reads: { id: string }[]; responses: { id: string; action: string; response: unknown }[] };
    expect(describe.reads.map((r) => r.id)).toEqual(report.reads.map((r) => r.id));
    const instance = describe.responses.find((r) => r.action === 'ec2:DescribeInstances');
    expect(instance?.response).toMatchObject({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID }] }] });
  });

  it('reads the console output (latest) after containment and keeps it decoded as text', () => {
    expect(mocks.ec2.commandCalls(GetConsoleOutputCommand).map((c) => c.args[0].input)).toEqual([{ InstanceId: INSTANCE_ID, Latest: true }]);
    expect(put('console-output.txt').Body).toBe(CONSOLE_TEXT);
    expect(step(report, 'evidence:read-console-output')).toMatchObject({ status: 'done', detail: `${Buffer.byteLength(CONSOLE_TEXT)} bytes` });
    // No EC2 change comes after the console read: containment never waits for evidence.
    const ec2Actions = mocks.ec2.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
    const consoleAt = ec2Actions.indexOf('GetConsoleOutput');
    expect(ec2Actions.slice(consoleAt + 1)).toEqual([]);
    expect(ec2Actions.slice(0, consoleAt).some((a) => !isReadOnlyAction(a))).toBe(true);
    const lastContainmentStage = Math.max(...report.steps.filter((s) => s.mutating).map((s) => s.stage));
    expect(Math.min(...evidenceSteps(report).map((s) => s.stage))).toBe(lastContainmentStage + 1);
  });

  it('writes the report last, with every step but its own, and shows each write as a step with its version', () => {
    expect(order.at(-1)).toBe('PutObject report.json');
    expect(order.indexOf('PutObject console-output.txt')).toBeGreaterThan(order.indexOf('GetConsoleOutput'));
    const written = body('report.json') as { steps: { id: string; status: string }[]; stepsNotFinished: string[]; summary: object };
    expect(written.stepsNotFinished).toEqual(['evidence:report.json']);
    expect(written.steps.map((s) => s.id)).toEqual(report.steps.map((s) => s.id).filter((id) => id !== 'evidence:report.json'));
    expect(written.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'done' });
    expect(evidenceSteps(report).map((s) => [s.id, s.status, s.detail])).toEqual([
      ['evidence:finding.json', 'done', `s3://${BUCKET}/${PREFIX}finding.json (version v-finding.json)`],
      ['evidence:plan.json', 'done', `s3://${BUCKET}/${PREFIX}plan.json (version v-plan.json)`],
      ['evidence:describe.json', 'done', `s3://${BUCKET}/${PREFIX}describe.json (version v-describe.json)`],
      ['evidence:read-console-output', 'done', `${Buffer.byteLength(CONSOLE_TEXT)} bytes`],
      ['evidence:console-output.txt', 'done', `s3://${BUCKET}/${PREFIX}console-output.txt (version v-console-output.txt)`],
      ['evidence:report.json', 'done', `s3://${BUCKET}/${PREFIX}report.json (version v-report.json)`],
    ]);
    expect(evidenceSteps(report).every((s) => !s.mutating)).toBe(true);
    expect(report.summary.failed).toBe(0);
  });
});

describe('when keeping evidence fails', () => {
  it('reports each failed write with the AWS error, and containment and the notification are exactly as without evidence', async () => {
    const without = await run(containFinding(), { bucket: false });
    answerFromWorld(mocks, () => defaultWorld());
    mocks.ec2.on(GetConsoleOutputCommand).resolves({ Output: Buffer.from('boot').toString('base64') });
    mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    s3.reset().on(PutObjectCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: s3:PutObject', 403));
    const report = await run();
    expect(otherSteps(report)).toEqual(otherSteps(without));
    expect(step(report, 'notify')).toMatchObject({ status: 'done' });
    const writes = evidenceSteps(report).filter((s) => s.action === 's3:PutObject');
    expect(writes).toHaveLength(5);
    for (const write of writes) {
      expect(write).toMatchObject({ status: 'failed', error: { code: 'AccessDenied', message: 'User is not authorized to perform: s3:PutObject', retryable: false } });
    }
  });

  it('a failed console read is reported with its code; the console write is skipped for it, the other writes go on', async () => {
    mocks.ec2.on(GetConsoleOutputCommand).rejects(awsError('UnauthorizedOperation', 'not authorized to perform ec2:GetConsoleOutput', 403));
    const report = await run();
    expect(step(report, 'evidence:read-console-output')).toMatchObject({ status: 'failed', error: { code: 'UnauthorizedOperation' } });
    expect(step(report, 'evidence:console-output.txt')).toMatchObject({ status: 'skipped', reason: 'needs evidence:read-console-output (failed)' });
    expect(s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Key).slice(PREFIX.length)).sort()).toEqual(['describe.json', 'finding.json', 'plan.json', 'report.json']);
    // Every change is made; only the restores of ENIs that were isolated have nothing to do.
    expect(report.steps.filter((s) => s.mutating && !s.id.startsWith('restore:')).every((s) => s.status === 'done')).toBe(true);
  });
});

describe('the console output', () => {
  it('falls back to the buffered output where EC2 has no live one (Xen instances)', async () => {
    mocks.ec2
      .on(GetConsoleOutputCommand)
      .rejectsOnce(awsError('UnsupportedOperation', 'Latest is not supported for this instance type'))
      .resolves({ Output: Buffer.from('buffered boot log\n').toString('base64') });
    const report = await run();
    expect(mocks.ec2.commandCalls(GetConsoleOutputCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: INSTANCE_ID, Latest: true },
      { InstanceId: INSTANCE_ID },
    ]);
    expect(step(report, 'evidence:read-console-output').detail).toBe('18 bytes (buffered at the last boot)');
    expect(put('console-output.txt').Body).toBe('buffered boot log\n');
  });

  it('is not written when the instance has printed nothing yet, and says so', async () => {
    mocks.ec2.on(GetConsoleOutputCommand).resolves({ InstanceId: INSTANCE_ID });
    const report = await run();
    expect(step(report, 'evidence:console-output.txt')).toMatchObject({ status: 'skipped', reason: `${INSTANCE_ID} has written no console output` });
    expect(s3.commandCalls(PutObjectCommand).some((c) => String(c.args[0].input.Key).endsWith('console-output.txt'))).toBe(false);
  });
});

describe('when no evidence is kept', () => {
  it('no bucket configured: one skipped step saying so, and no S3 or console call', async () => {
    const report = await run(containFinding(), { bucket: false });
    expect(evidenceSteps(report).map((s) => [s.id, s.status, s.reason])).toEqual([['evidence', 'skipped', 'no evidence bucket configured (IR_EVIDENCE_BUCKET)']]);
    expect(s3.calls()).toHaveLength(0);
    expect(mocks.ec2.commandCalls(GetConsoleOutputCommand)).toHaveLength(0);
  });

  it('a GuardDuty sample finding: no incident, no evidence', async () => {
    const sample = { ...containFinding(), service: { archived: false, count: 1, additionalInfo: { sample: true } } } as Finding;
    const report = await run(sample);
    expect(evidenceSteps(report).map((s) => [s.id, s.status, s.reason])).toEqual([['evidence', 'skipped', 'sample finding: there is no incident to keep evidence of']]);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('a delivery GuardDuty did not confirm (perhaps a forged copy of a real finding)', () => {
  it('keeps its evidence apart, under incidents/unconfirmed/.../<delivery time>/, never over the incident’s own objects', async () => {
    guardDuty.holds();
    const report = await respond(containFinding(), {
      config: enforceConfig(WITHOUT_SECURITY_HUB_NOTE),
      clients,
      dryRun: false,
      topicArn: TOPIC,
      responder: RESPONDER,
      now: () => NOW,
      evidence: { bucket: BUCKET, keyArn: KEY_ARN, region: 'us-east-1' },
    });
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    const apart = `incidents/unconfirmed/${ACCOUNT_ID}/us-east-1/${INCIDENT_ID}/${FINDING_ID}/2026-11-22T08_00_00.000Z/`;
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key).sort()).toEqual(FILES.map((f) => `${apart}${f}`).sort());
    expect(evidenceSteps(report).find((s) => s.id === 'evidence:finding.json')).toMatchObject({ status: 'done', target: `s3://${BUCKET}/${apart}finding.json` });
  });
});

describe('a dry-run', () => {
  it('keeps its evidence (the responder’s own record) and changes nothing in the account', async () => {
    const report = await run(containFinding(), { dryRun: true });
    expect(receivedCalls(mocks).filter((c) => !isReadOnlyAction(c.action) && c.action !== 'Publish').map((c) => c.action)).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(5);
    expect(body('plan.json')).toMatchObject({ dryRun: true, blockedBy: ['dry-run'] });
    expect((body('report.json') as { steps: { mutating: boolean; status: string }[] }).steps.filter((s) => s.mutating).every((s) => s.status === 'skipped')).toBe(true);
    expect(report.steps.filter((s) => s.mutating).every((s) => s.status === 'skipped')).toBe(true);
  });
});
