import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';

/*
 * `ir invoke` against mocked CloudFormation and Lambda. The emulator cannot
 * run a Lambda function (that needs Docker), so Invoke has no integration
 * test: these tests pin the exact DescribeStacks and Invoke requests, the
 * payload bytes, and every exit path.
 */

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const tmp = mkdtempSync(join(tmpdir(), 'ir-invoke-'));
const config = join(tmp, 'defaults.json');
writeFileSync(config, '{}');

const CONTAIN_FIXTURE = join(FIXTURES_DIR, 'contain-instance/crypto-bitcoin-tool.event.json');
const NOTIFY_FIXTURE = join(FIXTURES_DIR, 'notify/port-probe-unprotected.event.json');
const CONTAIN_FUNCTION = 'GuardDutyIncidentResponse-ContainInstance-AbC123';
const NOTIFY_FUNCTION = 'GuardDutyIncidentResponse-Notify-XyZ789';
const OUTPUTS: Output[] = [
  { OutputKey: 'ContainInstanceFunctionName', OutputValue: CONTAIN_FUNCTION },
  { OutputKey: 'NotifyFunctionName', OutputValue: NOTIFY_FUNCTION },
  { OutputKey: 'NotificationTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111111111111:ir' },
];

function report(overrides: Record<string, unknown> = {}) {
  return {
    playbook: 'contain-instance',
    findingId: 'a9f7e97965d6cf799a529102a973b8b9',
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
    severity: 8,
    accountId: '111111111111',
    region: 'us-east-1',
    incidentId: 'ir-0123456789abcdef',
    dryRun: true,
    offline: false,
    route: { ruleId: 'contain-instance', why: 'instance compromise' },
    blockedBy: ['dry-run'],
    guards: [{ id: 'dry-run', blocks: true, reason: 'asked for a dry-run' }],
    warnings: [],
    resource: {},
    reads: [],
    steps: [
      {
        id: 'tag-instance',
        title: 'Tag i-0abc with the incident',
        action: 'ec2:CreateTags',
        iamActions: ['ec2:CreateTags'],
        target: 'i-0abc',
        parameters: {},
        mutating: true,
        why: 'w',
        stage: 5,
        requires: [],
        status: 'skipped',
        reason: 'blocked by dry-run',
        durationMs: 0,
      },
    ],
    summary: { done: 0, skipped: 1, failed: 0 },
    startedAt: '2026-11-22T08:00:00.000Z',
    finishedAt: '2026-11-22T08:00:01.000Z',
    ...overrides,
  };
}

function payloadOf(value: unknown): InvokeCommandOutput['Payload'] {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)) as InvokeCommandOutput['Payload'];
}

function sentPayloads(): unknown[] {
  return lambda.commandCalls(InvokeCommand).map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)));
}

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  process.env.NO_COLOR = '1';
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: OUTPUTS }] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payloadOf(report()) });
});

afterAll(() => {
  cfn.restore();
  lambda.restore();
});

describe('ir invoke', () => {
  it('finds the routed function in the default stack and invokes it with the finding as given and dryRun', async () => {
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--dry-run', '--json', '--config', config);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'GuardDutyIncidentResponse' }]);
    expect(lambda.commandCalls(InvokeCommand).map((c) => ({ ...c.args[0].input, Payload: undefined }))).toEqual([
      { FunctionName: CONTAIN_FUNCTION, InvocationType: 'RequestResponse', Payload: undefined },
    ]);
    // The exact bytes: the event file as given, then dryRun.
    const sent = new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array);
    expect(sent).toBe(JSON.stringify({ finding: JSON.parse(readFileSync(CONTAIN_FIXTURE, 'utf8')), dryRun: true }));
    expect(JSON.parse(run.stdout)).toEqual([report()]);
  });

  it('asks for no dry-run without --dry-run, and uses --stack', async () => {
    await runIr('invoke', NOTIFY_FIXTURE, '--stack', 'IR-Prod', '--json', '--config', config);
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'IR-Prod' });
    expect(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.FunctionName).toBe(NOTIFY_FUNCTION);
    expect(sentPayloads()).toEqual([{ finding: JSON.parse(readFileSync(NOTIFY_FIXTURE, 'utf8')), dryRun: false }]);
  });

  it("finds the regional stack of a multi-region deployment by the finding's region", async () => {
    const regional = join(tmp, 'regional.json');
    writeFileSync(regional, JSON.stringify({ regions: ['eu-west-1', 'us-east-1'] }));
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--dry-run', '--json', '--config', regional);
    expect(run.code).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'GuardDutyIncidentResponse-us-east-1' }]);
  });

  it("calls CloudFormation and Lambda in the finding's region", async () => {
    const event = JSON.parse(readFileSync(CONTAIN_FIXTURE, 'utf8'));
    event.region = 'eu-west-1';
    event.detail.region = 'eu-west-1';
    const input = join(tmp, 'eu.json');
    writeFileSync(input, JSON.stringify(event));
    await runIr('invoke', input, '--dry-run', '--json', '--config', config, '--region', 'us-west-2');
    const regionOf = (client: unknown) => (client as { config: { region: () => Promise<string> } }).config.region();
    expect(await regionOf(cfn.commandCalls(DescribeStacksCommand)[0]!.thisValue)).toBe('eu-west-1');
    expect(await regionOf(lambda.commandCalls(InvokeCommand)[0]!.thisValue)).toBe('eu-west-1');
  });

  it('invokes each finding of get-findings output on its own, at the function of its own route', async () => {
    const input = join(tmp, 'two.json');
    const finding = (Id: string, Type: string, ResourceType: string) => ({ Id, Type, Severity: 5, AccountId: '222222222222', Region: 'us-east-1', Resource: { ResourceType } });
    writeFileSync(input, JSON.stringify({ Findings: [finding('f-1', 'CryptoCurrency:EC2/BitcoinTool.B', 'Instance'), finding('f-2', 'Recon:EC2/PortProbeUnprotectedPort', 'Instance')] }));
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: payloadOf(report({ findingId: 'f-1' })) })
      .resolvesOnce({ StatusCode: 200, Payload: payloadOf(report({ findingId: 'f-2', playbook: 'notify' })) });
    const run = await runIr('invoke', input, '--dry-run', '--json', '--config', config);
    expect(run.code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input.FunctionName)).toEqual([CONTAIN_FUNCTION, NOTIFY_FUNCTION]);
    expect(sentPayloads().map((p) => (p as { finding: { id: string } }).finding.id)).toEqual(['f-1', 'f-2']);
    expect(JSON.parse(run.stdout).map((r: { findingId: string }) => r.findingId)).toEqual(['f-1', 'f-2']);
  });

  it('prints the readable report without --json', async () => {
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--dry-run', '--config', config);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CryptoCurrency:EC2/BitcoinTool.B  severity 8');
    expect(run.stdout).toContain('skipped Tag i-0abc with the incident');
  });

  it('exits 1 when a step of the returned report failed', async () => {
    const failed = report({ summary: { done: 0, skipped: 0, failed: 1 } });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payloadOf(failed) });
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--json', '--config', config);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([failed]);
  });

  it('prints the error payload on stderr and exits 1 when the function failed', async () => {
    const error = { errorType: 'RoutingMismatchError', errorMessage: 'finding routes to notify' };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payloadOf(error) });
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--json', '--config', config);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`ir: ${CONTAIN_FUNCTION} (contain-instance, finding a9f7e97965d6cf799a529102a973b8b9) failed (Unhandled): ${JSON.stringify(error)}\n`);
  });

  it('escapes what the error payload quotes: a key name from a hostile invocation cannot reorder or break the line', async () => {
    // JSON keeps U+2028 and the bidi overrides as they are: only the escaping makes them visible.
    const error = { errorType: 'InvocationInputError', errorMessage: 'unknown key "\u202edetalosi\u2028[ok] isolated"' };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payloadOf(error) });
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--json', '--config', config);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/[\u202e\u2028]/);
    expect(run.stderr).toContain('unknown key \\"\\u202edetalosi\\u2028[ok] isolated\\"');
    expect(run.stderr.split('\n')).toHaveLength(2);
  });

  it('exits 1 when the function returns something that is not a report', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payloadOf('null') });
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--config', config);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`ir: UnexpectedResponse: unexpected response from ${CONTAIN_FUNCTION}: the payload is not a playbook report\n`);
  });

  it('exits 2 naming the stack and the output key when the stack does not exist, and invokes nothing', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id IR-Gone does not exist'), { name: 'ValidationError' }));
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--stack', 'IR-Gone', '--config', config);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ir: stack IR-Gone does not exist in us-east-1: it has no output ContainInstanceFunctionName naming the contain-instance function\n');
    expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
  });

  it('exits 2 naming the stack and the output key when the output is missing, and invokes nothing', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: OUTPUTS.slice(1) }] });
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--config', config);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ir: stack GuardDutyIncidentResponse in us-east-1 has no output ContainInstanceFunctionName: it does not deploy the contain-instance function\n');
    expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
  });

  it('finds every function before invoking any: a missing output for the second finding invokes nothing', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: OUTPUTS.slice(0, 1) }] });
    const input = join(tmp, 'mixed.json');
    const finding = (Id: string, Type: string) => ({ Id, Type, Severity: 5, AccountId: '222222222222', Region: 'us-east-1', Resource: { ResourceType: 'Instance' } });
    writeFileSync(input, JSON.stringify({ Findings: [finding('f-1', 'CryptoCurrency:EC2/BitcoinTool.B'), finding('f-2', 'Recon:EC2/PortProbeUnprotectedPort')] }));
    const run = await runIr('invoke', input, '--config', config);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('has no output NotifyFunctionName');
    expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
  });

  it('exits 1 with the AWS error when DescribeStacks fails for another reason', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const run = await runIr('invoke', CONTAIN_FIXTURE, '--config', config);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('ir: AccessDenied: User is not authorized\n');
  });

  it('exits 2 for input that is not a finding, calling nothing', async () => {
    const input = join(tmp, 'bad.json');
    writeFileSync(input, '{"hello": "world"}');
    const run = await runIr('invoke', input, '--config', config);
    expect(run.code).toBe(2);
    expect(cfn.calls()).toEqual([]);
  });

  it('shows examples in --help', async () => {
    const run = await runIr('invoke', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--stack <name>');
  });
});
