import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  type GetFunctionConfigurationCommandOutput,
} from '@aws-sdk/client-lambda';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { revokeOlderSessionsPolicy } from '../../../../lambda/iam/revoke-sessions';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { respond } from '../../../../lambda/respond/respond';
import { REVOKE_ROLE_SESSIONS, THROTTLE_FUNCTION } from '../../../../lambda/playbooks/contain-function/specs';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { iamError } from '../../../support/aws-mocks/revoke-iam';
import { loadFixture } from '../../../support/fixtures';
import { approvalSchema } from '../../../../lambda/approval/schema';

/*
 * contain-function end to end through respond(), with mocked Lambda and IAM:
 * the exact calls and parameters, and every refusal (a function that is not
 * the finding's, a role that is not the account's or is protected, the
 * exempt tag, unreadable tags, dry-run).
 */

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const guardDuty = useGuardDuty();
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const PLANNED_AT = '2026-11-22T10:00:00.000Z';
const RUN_AT = '2026-11-22T10:00:07.000Z';
const ACCOUNT = '222222222222';
const FUNCTION = 'orders-webhook';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/orders-webhook-exec`;
const SECRET = 'sk_live_do-not-leak-0123456789';

function finding(): Finding {
  return parseFindings(loadFixture('contain-function/cnc-activity.event.json'))[0]!;
}

function configuration(overrides: Partial<GetFunctionConfigurationCommandOutput> = {}): GetFunctionConfigurationCommandOutput {
  return {
    $metadata: {},
    FunctionName: FUNCTION,
    FunctionArn: FUNCTION_ARN,
    Version: '$LATEST',
    CodeSha256: 'p1X2i3R4n5u6m7b8e9r0abcdefghijklmnopqrstu=',
    CodeSize: 4096,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Role: ROLE_ARN,
    VpcConfig: { VpcId: 'vpc-0f1e2d3c4b5a69788', SubnetIds: ['subnet-0a1b2c3d4e5f60718'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    Environment: { Variables: { STRIPE_KEY: SECRET, LOG_LEVEL: 'debug' } },
    ...overrides,
  };
}

function clock(): () => Date {
  let calls = 0;
  return () => new Date(calls++ === 0 ? PLANNED_AT : RUN_AT);
}

function run(subject: Finding, options: { dryRun?: boolean; protectedRoleNames?: string[]; config?: Partial<RuntimeConfig>; evidence?: boolean; topic?: boolean } = {}): Promise<Report> {
  guardDuty.holds(subject);
  return respond(subject, {
    config: { ...ENFORCE, ...options.config },
    clients,
    dryRun: options.dryRun ?? false,
    responder: { protectedRoleNames: options.protectedRoleNames ?? [] },
    now: clock(),
    ...(options.topic ? { topicArn: 'arn:aws:sns:us-east-1:111111111111:ir' } : {}),
    ...(options.evidence ? { evidence: { bucket: 'ir-evidence', keyArn: 'arn:aws:kms:us-east-1:111111111111:key/1', region: 'us-east-1' } } : {}),
  });
}

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return step;
}

const statuses = (report: Report) => report.steps.filter((s) => !['notify', 'notify-chat', 'evidence'].includes(s.id)).map((s) => [s.id, s.status]);
const lambdaCalls = () => lambda.calls().map((call) => [call.args[0].constructor.name, call.args[0].input]);
const changes = () => [...lambda.commandCalls(PutFunctionConcurrencyCommand), ...iam.commandCalls(PutRolePolicyCommand)];

beforeEach(() => {
  for (const mock of [lambda, iam, sns, s3]) mock.reset();
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  lambda.on(GetFunctionConfigurationCommand).resolves(configuration());
  lambda.on(GetFunctionConcurrencyCommand).resolves({});
  lambda.on(ListProvisionedConcurrencyConfigsCommand).resolves({ ProvisionedConcurrencyConfigs: [] });
  lambda.on(ListTagsCommand).resolves({ Tags: { team: 'orders' } });
  lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0 });
  iam.on(PutRolePolicyCommand).resolves({});
});
afterAll(() => [lambda, iam, sns, s3].forEach((mock) => mock.restore()));

describe('contain-function', () => {
  it('reads the function named by the finding, then throttles it and revokes its role, with exactly these parameters', async () => {
    const report = await run(finding());

    expect(statuses(report)).toEqual([
      ['record-restore:function', 'done'],
      ['throttle-function', 'done'],
      ['revoke-role-sessions', 'done'],
    ]);
    expect(lambdaCalls()).toEqual([
      ['GetFunctionConfigurationCommand', { FunctionName: FUNCTION }],
      ['GetFunctionConcurrencyCommand', { FunctionName: FUNCTION }],
      ['ListProvisionedConcurrencyConfigsCommand', { FunctionName: FUNCTION }],
      ['ListTagsCommand', { Resource: FUNCTION_ARN }],
      ['PutFunctionConcurrencyCommand', { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 }],
    ]);
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'orders-webhook-exec', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokeOlderSessionsPolicy(new Date(RUN_AT)) },
    ]);
    expect(stepOf(report, 'throttle-function')).toMatchObject({ action: 'lambda:PutFunctionConcurrency', target: FUNCTION_ARN });
    expect(stepOf(report, 'revoke-role-sessions')).toMatchObject({ action: 'iam:PutRolePolicy', target: ROLE_ARN });
    expect([THROTTLE_FUNCTION.changeClass, REVOKE_ROLE_SESSIONS.changeClass]).toEqual(['throttle-function', 'revoke-sessions']);
  });

  it('keeps the configuration, code hash and environment variable NAMES in the report, never their values', async () => {
    const report = await run(finding());
    expect(report.resource).toMatchObject({
      functionName: FUNCTION,
      configuration: {
        codeSha256: 'p1X2i3R4n5u6m7b8e9r0abcdefghijklmnopqrstu=',
        version: '$LATEST',
        role: ROLE_ARN,
        vpc: { vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] },
        environmentVariableNames: ['LOG_LEVEL', 'STRIPE_KEY'],
      },
      reservedConcurrency: null,
    });
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect(JSON.stringify(report)).not.toContain('"debug"');
  });

  it('tells the team what was done and how to release it', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await run(finding(), { topic: true });
    const email = sns.commandCalls(PublishCommand).map((c) => String(c.args[0].input.Message)).find((m) => m.includes('ir release --function'));
    expect(email).toContain('function throttled (reserved concurrency 0), role sessions revoked');
    expect(email).toContain('`ir release --function orders-webhook --region us-east-1`');
    expect(email).not.toContain(SECRET);
  });

  it('writes the evidence (describe.json holds every read) with the variable names and never a value', async () => {
    await run(finding(), { evidence: true });
    const bodies = s3.commandCalls(PutObjectCommand).map((c) => [String(c.args[0].input.Key).split('/').pop(), String(c.args[0].input.Body)] as const);
    expect(bodies.map(([name]) => name)).toEqual(expect.arrayContaining(['describe.json', 'report.json', 'plan.json']));
    const describe = bodies.find(([name]) => name === 'describe.json')![1];
    expect(describe).toContain('STRIPE_KEY');
    expect(describe).toContain('p1X2i3R4n5u6m7b8e9r0abcdefghijklmnopqrstu=');
    for (const [, body] of bodies) expect(body).not.toContain(SECRET);
  });

  it('reads the configuration of the published version the finding names, for the code that ran', async () => {
    const versioned = parseFindings(loadFixture('contain-function/tor-client-version.get-findings.json'))[0]!;
    lambda.on(GetFunctionConfigurationCommand).callsFake((input: { FunctionName: string; Qualifier?: string }) =>
      configuration({
        FunctionName: 'report-export',
        FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:report-export${input.Qualifier ? `:${input.Qualifier}` : ''}`,
        Version: input.Qualifier ?? '$LATEST',
        CodeSha256: input.Qualifier ? 'version-7-hash' : 'latest-hash',
        Role: `arn:aws:iam::${ACCOUNT}:role/report-export`,
      }),
    );
    const report = await run(versioned);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: 'report-export' },
      { FunctionName: 'report-export', Qualifier: '7' },
    ]);
    expect(report.resource).toMatchObject({ configuration: { codeSha256: 'latest-hash' }, versionConfiguration: { codeSha256: 'version-7-hash', version: '7' } });
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: 'report-export', ReservedConcurrentExecutions: 0 }]);
  });

  it('changes nothing in dry-run, and shows the same plan', async () => {
    const report = await run(finding(), { dryRun: true });
    expect(statuses(report)).toEqual([
      ['record-restore:function', 'skipped'],
      ['throttle-function', 'skipped'],
      ['revoke-role-sessions', 'skipped'],
    ]);
    expect(stepOf(report, 'throttle-function').parameters).toEqual({ FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 });
    expect(changes()).toEqual([]);
  });

  it('does nothing when the function does not exist in the finding’s account and region', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: { httpStatusCode: 404 } }));
    const report = await run(finding());
    expect(statuses(report)).toEqual([]);
    expect(report.warnings.join(' ')).toContain(`Lambda function ${FUNCTION} does not exist in account ${ACCOUNT}, region us-east-1`);
    expect(lambdaCalls()).toEqual([['GetFunctionConfigurationCommand', { FunctionName: FUNCTION }]]);
    expect(changes()).toEqual([]);
  });

  it('refuses when Lambda answers for a function of another account than the finding’s', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(configuration({ FunctionArn: `arn:aws:lambda:us-east-1:999999999999:function:${FUNCTION}` }));
    const report = await run(finding());
    expect(report.blockedBy).toContain('function-unverified');
    expect(changes()).toEqual([]);
  });

  it('refuses, reading nothing, when the finding’s function ARN is in another account than the finding', async () => {
    const forged = parseFindings({ ...(loadFixture('contain-function/cnc-activity.event.json') as { detail: Record<string, unknown> }).detail })[0]!;
    const edited = { ...forged, resource: { ...forged.resource, lambdaDetails: { ...forged.resource!.lambdaDetails, functionArn: `arn:aws:lambda:us-east-1:999999999999:function:${FUNCTION}` } } } as Finding;
    const report = await run(edited);
    expect(report.blockedBy).toContain('function-unverified');
    expect(lambda.calls()).toHaveLength(0);
    expect(changes()).toEqual([]);
  });

  it.each([
    ['a name with a shell metacharacter', { functionName: 'orders;rm', functionArn: null }],
    ['an ARN naming another function', { functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other` }],
    ['a qualifier that is no version', { functionVersion: 'prod alias' }],
  ])('refuses %s, reading nothing', async (_what, details) => {
    const base = finding();
    const edited = { ...base, resource: { ...base.resource, lambdaDetails: { ...base.resource!.lambdaDetails, ...details } } } as Finding;
    const report = await run(edited);
    expect(report.blockedBy).toContain('function-unverified');
    expect(lambda.calls()).toHaveLength(0);
  });

  it('throttles but does not revoke an execution role in another account', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(configuration({ Role: 'arn:aws:iam::333333333333:role/shared-exec' }));
    const report = await run(finding());
    expect(statuses(report)).toEqual([
      ['record-restore:function', 'done'],
      ['throttle-function', 'done'],
    ]);
    expect(report.warnings.join(' ')).toContain("execution role shared-exec is in account 333333333333, not the finding's account 222222222222");
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('never throttles one of the responder’s own functions (it runs as a responder role): nothing is changed', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(configuration({ Role: `arn:aws:iam::${ACCOUNT}:role/GuardDutyIncidentResponse-contain-function-us-east-1` }));
    const report = await run(finding(), { protectedRoleNames: ['GuardDutyIncidentResponse-contain-function-us-east-1'] });
    expect(report.blockedBy).toContain('responder-function');
    expect(changes()).toEqual([]);
  });

  it.each([
    ['a service-linked role', configuration({ Role: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda` }), {}, 'service-linked'],
    ['a break-glass role', configuration(), { config: { credentials: { ...ENFORCE.credentials, protectedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/orders-webhook-*`] } } }, 'protected (break-glass)'],
    ['an exempt role', configuration(), { config: { credentials: { ...ENFORCE.credentials, exemptPrincipals: [`arn:aws:iam::*:role/orders-webhook-exec`] } } }, 'is exempt'],
  ])('never revokes %s (the function is still throttled)', async (_what, answer, options, said) => {
    lambda.on(GetFunctionConfigurationCommand).resolves(answer);
    const report = await run(finding(), options);
    expect(statuses(report)).toEqual([
      ['record-restore:function', 'done'],
      ['throttle-function', 'done'],
    ]);
    expect(report.warnings.join(' ')).toContain(said);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('is stopped by the exempt tag on the function', async () => {
    lambda.on(ListTagsCommand).resolves({ Tags: { 'ir:exempt': 'honeypot' } });
    const report = await run(finding());
    expect(report.blockedBy).toContain('exempt-tag');
    expect(changes()).toEqual([]);
  });

  it('refuses when the tags cannot be read: the exempt tag is not verified', async () => {
    lambda.on(ListTagsCommand).rejects(iamError('AccessDeniedException'));
    const report = await run(finding());
    expect(report.blockedBy).toContain('function-unreadable');
    expect(changes()).toEqual([]);
  });

  it('fails the throttle with Lambda’s error code, and still revokes the role', async () => {
    lambda.on(PutFunctionConcurrencyCommand).rejects(iamError('TooManyRequestsException'));
    const report = await run(finding());
    expect(stepOf(report, 'throttle-function')).toMatchObject({ status: 'failed', error: { code: 'TooManyRequestsException' } });
    expect(stepOf(report, 'revoke-role-sessions').status).toBe('done');
  });

  describe('provisioned concurrency (Lambda refuses a reserved concurrency below it)', () => {
    const provisioned = (qualifier: string, requested: number, status: 'READY' | 'IN_PROGRESS' = 'READY') => ({
      FunctionArn: `${FUNCTION_ARN}:${qualifier}`,
      RequestedProvisionedConcurrentExecutions: requested,
      AllocatedProvisionedConcurrentExecutions: requested,
      Status: status,
    });

    it('is read in discovery (every page); the throttle is refused, named, and left to a person; the role is still revoked', async () => {
      lambda
        .on(ListProvisionedConcurrencyConfigsCommand)
        .resolvesOnce({ ProvisionedConcurrencyConfigs: [provisioned('live', 5)], NextMarker: 'page-2' })
        .resolvesOnce({ ProvisionedConcurrencyConfigs: [provisioned('7', 2, 'IN_PROGRESS'), provisioned('old', 0)] });
      const report = await run(finding());
      expect(lambda.commandCalls(ListProvisionedConcurrencyConfigsCommand).map((c) => c.args[0].input)).toEqual([
        { FunctionName: FUNCTION },
        { FunctionName: FUNCTION, Marker: 'page-2' },
      ]);
      const refused = `Lambda function ${FUNCTION} has provisioned concurrency (live: 5 (READY), 7: 2 (IN_PROGRESS)), and Lambda refuses a reserved concurrency below it: the throttle (0) cannot be made while it is there`;
      expect(stepOf(report, 'throttle-function')).toMatchObject({ status: 'skipped', reason: `REFUSED: ${refused}` });
      // No decision could make it: it waits for no approval, even where throttling needs one.
      expect(stepOf(report, 'throttle-function').approval).toBeUndefined();
      lambda.on(ListProvisionedConcurrencyConfigsCommand).resolves({ ProvisionedConcurrencyConfigs: [provisioned('live', 5), provisioned('7', 2, 'IN_PROGRESS')] });
      const approving = await run(finding(), { config: { approval: approvalSchema.parse({ defaults: { 'throttle-function': 'approve' } }) } });
      expect(stepOf(approving, 'throttle-function')).toMatchObject({ status: 'skipped', reason: `REFUSED: ${refused}` });
      expect(stepOf(approving, 'throttle-function').approval).toBeUndefined();
      expect(lambda.commandCalls(PutFunctionConcurrencyCommand)).toEqual([]);
      expect(stepOf(report, 'revoke-role-sessions').status).toBe('done');
      expect(report.warnings).toEqual(
        expect.arrayContaining([
          `FUNCTION NOT THROTTLED: ${refused}; the function keeps running.`,
          expect.stringMatching(/^MANUAL: note the provisioned concurrency of orders-webhook \(live: 5 \(READY\), 7: 2 \(IN_PROGRESS\)\), delete it \(aws lambda delete-provisioned-concurrency-config --function-name orders-webhook --qualifier <each of live, 7>\)/),
        ]),
      );
      expect(report.warnings.join(' ')).not.toContain('while throttled');
    });

    it('that cannot be read is said, and the throttle is still tried (it fails loudly if Lambda refuses)', async () => {
      lambda.on(ListProvisionedConcurrencyConfigsCommand).rejects(iamError('AccessDeniedException'));
      const report = await run(finding());
      expect(report.warnings).toContain(
        `the provisioned concurrency of ${FUNCTION} could not be read (ListProvisionedConcurrencyConfigs: AccessDeniedException): if a version or alias has any, Lambda refuses the throttle (a reserved concurrency below it) and the step fails.`,
      );
      expect(stepOf(report, 'throttle-function').status).toBe('done');
    });
  });
});
