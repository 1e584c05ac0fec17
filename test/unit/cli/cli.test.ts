import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';
import { deployedOutputs, useDeployedStack } from '../../support/aws-mocks/deployed-stack';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { securityHubUpdates, updatesReceived, useSecurityHub } from '../../support/aws-mocks/security-hub';

const ir = runIr;

const fixture = (relative: string) => join(FIXTURES_DIR, relative);
const tmp = mkdtempSync(join(tmpdir(), 'ir-cli-'));
const defaultsConfig = join(tmp, 'defaults.json');
writeFileSync(defaultsConfig, '{}');
const sns = mockClient(SNSClient);
const stack = useDeployedStack();
mockClient(DynamoDBClient).onAnyCommand().resolves({});
mockClient(S3Client).onAnyCommand().resolves({});
// The Security Hub note is on by default: planned, blocked by a dry-run, sent by --execute.
const securityHub = useSecurityHub();
// The account's alias, read for the notification (lambda/notify/account-alias.ts): none set.
mockClient(IAMClient).on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });

beforeEach(() => {
  sns.reset();
  securityHub.reset();
  securityHubUpdates(securityHub);
  process.env.NO_COLOR = '1';
});

describe('ir plan', () => {
  it('prints only JSON with the plan fields, offline, with no AWS call', async () => {
    const run = await ir('plan', fixture('notify/port-probe-unprotected.event.json'), '--offline', '--json', '--config', defaultsConfig);
    expect(run.code).toBe(0);
    // The configuration used is said on stderr; stdout holds only the JSON: an array, even of one plan.
    expect(run.stderr).toBe(`ir: configuration: --config ${defaultsConfig}\n`);
    const [plan, ...more] = JSON.parse(run.stdout);
    expect(more).toEqual([]);
    expect(plan).toMatchObject({
      playbook: 'notify',
      findingType: 'Recon:EC2/PortProbeUnprotectedPort',
      severity: 5,
      accountId: '222222222222',
      region: 'us-east-1',
      dryRun: true,
      offline: true,
      blockedBy: ['dry-run'],
    });
    expect(plan.steps).toEqual([
      expect.objectContaining({ id: 'securityhub:note', action: 'securityhub:BatchUpdateFindings', mutating: true, stage: 1 }),
      expect.objectContaining({ id: 'notify', title: 'Notify the security team', action: 'sns:Publish', mutating: false }),
      expect.objectContaining({ id: 'evidence', action: 's3:PutObject', mutating: false }),
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('prints one plan per finding of get-findings output, as an array', async () => {
    const input = join(tmp, 'two.json');
    const one = (id: string) => ({ Id: id, Type: 'Policy:IAMUser/RootCredentialUsage', Severity: 2, AccountId: '222222222222', Region: 'us-east-1', Resource: { ResourceType: 'AccessKey' } });
    writeFileSync(input, JSON.stringify({ Findings: [one('a'), one('b')] }));
    const run = await ir('plan', input, '--offline', '--json', '--config', defaultsConfig);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((p: { findingId: string }) => p.findingId)).toEqual(['a', 'b']);
  });

  it('prints a readable summary without --json', async () => {
    const run = await ir('plan', fixture('contain-instance/sample-denial-of-service.event.json'), '--offline', '--config', defaultsConfig);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Backdoor:EC2/DenialOfService.Tcp  severity 8');
    expect(run.stdout).toContain('route   contain-instance');
    expect(run.stdout).toContain('sample-finding: service.additionalInfo.sample is true');
  });

  it.each([
    ['{"id": ', 'ir: invalid JSON: '],
    ['{"hello": "world"}', 'ir: not a GuardDuty finding: id is missing'],
    ['{"source": "aws.ec2", "detail": {}}', 'ir: not a GuardDuty event: source is "aws.ec2"'],
    ['{"id": "*", "type": "Recon:EC2/Portscan", "severity": 5}', 'ir: invalid id: id: must be a GuardDuty finding id'],
    ['{"id": "a\\u2028b", "type": "Recon:EC2/Portscan", "severity": 5}', '(got "a\\u2028b")'],
    ['{"id": "f1", "type": "Recon:EC2/Portscan", "severity": 5, "resource": {"instanceDetails": {"instanceId": "i-*"}}}', 'ir: invalid id: resource.instanceDetails.instanceId'],
  ])('exits 2 with one line on stderr for %s, and plans nothing', async (text, message) => {
    const input = join(tmp, 'bad.json');
    writeFileSync(input, text);
    const run = await ir('plan', input, '--offline', '--json', '--config', defaultsConfig);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(message);
  });

  it('exits 2 for a missing file and for a bad configuration', async () => {
    expect((await ir('plan', join(tmp, 'nope.json'), '--offline')).stderr).toBe(`ir: cannot read ${join(tmp, 'nope.json')}: ENOENT\n`);
    const badConfig = join(tmp, 'bad-config.json');
    writeFileSync(badConfig, '{"mode":"yolo"}');
    const run = await ir('plan', fixture('notify/port-probe-unprotected.event.json'), '--offline', '--config', badConfig);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid configuration');
  });

  it('exits 2 on an unknown option', async () => {
    expect((await ir('plan', 'x.json', '--bogus')).code).toBe(2);
  });
});

describe('ir respond', () => {
  it('is a dry-run unless --execute, and notifies when a topic is given', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-7' });
    const topic = 'arn:aws:sns:us-east-1:111111111111:ir';
    const run = await ir('respond', fixture('notify/port-probe-unprotected.event.json'), '--json', '--config', defaultsConfig, '--topic-arn', topic);
    expect(run.code).toBe(0);
    const [report] = JSON.parse(run.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.guards.find((g: { id: string }) => g.id === 'dry-run').reason).toContain('ir respond runs as a dry-run unless --execute is given');
    expect(report.steps).toEqual([
      expect.objectContaining({ id: 'securityhub:note', status: 'skipped', reason: 'blocked by dry-run' }),
      expect.objectContaining({ id: 'notify', status: 'done', detail: 'message m-7' }),
      expect.objectContaining({ id: 'evidence', status: 'skipped', reason: 'no evidence bucket configured (IR_EVIDENCE_BUCKET)' }),
    ]);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: topic });
    expect(updatesReceived(securityHub)).toEqual([]);
  });

  it('exits 1 when a step failed (the notification of an executed response)', async () => {
    stack.deployed(deployedOutputs(undefined));
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationError' }));
    const run = await ir('respond', fixture('notify/port-probe-unprotected.event.json'), '--execute', '--json', '--config', defaultsConfig, '--topic-arn', 'arn:aws:sns:us-east-1:1:t');
    expect(run.code).toBe(1);
    const steps: { id: string }[] = JSON.parse(run.stdout)[0].steps;
    expect(steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'failed', error: { code: 'AuthorizationError' } });
    // The only failure: Security Hub took the note.
    expect(steps.find((s) => s.id === 'securityhub:note')).toMatchObject({ status: 'done' });
  });
});
