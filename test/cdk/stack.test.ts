import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeConfigOf } from '../../lambda/config/schema';
import { readLambdaEnvironment } from '../../lambda/runtime/environment';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { BUNDLE_FILE, ESM_REQUIRE_BANNER } from '../../lib/lambda-bundle/options';
import {
  EVIDENCE_KEY_ARN_OUTPUT,
  failureQueueUrlOutput,
  functionArnOutput,
  functionNameOutput,
  LEDGER_TABLE_OUTPUT,
  RUNTIME_CONFIG_OUTPUT,
  TOPIC_ARN_OUTPUT,
} from '../../lib/stack-outputs';
import { synthesize, type Synthesized } from './support/synth';
import {
  asList,
  environmentOf,
  evaluate,
  functionIdOf,
  functionOf,
  getAtt,
  logicalIdAtPath,
  owedNoteWriterIds,
  props,
  ref,
  resourcesOfType,
  roleIdOf,
  statementsOfRole,
  type Json,
  type Statement,
} from './support/template-queries';

// Not the defaults, so every value below is proven to come from the configuration.
const CONFIG = {
  mode: 'enforce',
  notificationEmails: ['secops@example.com', 'oncall@example.com'],
  reservedConcurrency: 3,
  retryAttempts: 1,
  logRetentionDays: 90,
  minSeverity: { 'contain-instance': 8 },
  exemptTagKey: 'security:exempt',
  blastRadius: { maxContainmentsPerHour: 4 },
};

const PASCAL: Record<PlaybookName, string> = {
  'contain-instance': 'ContainInstance',
  'revoke-credentials': 'RevokeCredentials',
  'contain-function': 'ContainFunction',
  'block-public-access': 'BlockPublicAccess',
  'quarantine-object': 'QuarantineObject',
  'contain-task': 'ContainTask',
  'contain-eks': 'ContainEks',
  'contain-database': 'ContainDatabase',
  'quarantine-image': 'QuarantineImage',
  'answer-sequence': 'AnswerSequence',
  notify: 'Notify',
};

let synth: Synthesized;
let stackName: string;

beforeAll(() => {
  // The one synthesis of this file with real esbuild bundling.
  synth = synthesize({ context: { incidentResponse: CONFIG }, bundle: true });
  stackName = synth.stack.stackName;
});

function assetDirOf(playbook: PlaybookName): string {
  return join(synth.assembly.directory, functionOf(synth.template, playbook).Metadata?.['aws:asset:path'] as string);
}

/** Specifiers of the bundle's static imports (`import{a as b}from"node:fs"`, minified). */
function staticImportsOf(code: string): string[] {
  return [...code.matchAll(/\bimport\s*(?:(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+)\s*from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
}

/**
 * Optional packages the SDK tries to import only to sign with SigV4a
 * (multi-region access points), which the responder never uses: absent, by
 * design, as on any install without them.
 */
const OPTIONAL_SDK_IMPORTS = new Set(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);

/** Specifiers of `import(...)` calls: the chunks loaded on first use. */
function dynamicImportsOf(code: string): string[] {
  return [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
}

/**
 * What a bundle file imports, statically or on first use, transitively
 * through the chunks of the asset, that is neither Node's nor a file of the
 * asset: a missing chunk counts too, named by the file that imports it.
 */
function outsideImportsOf(dir: string, file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  return [...staticImportsOf(code), ...dynamicImportsOf(code)].flatMap((specifier) => {
    if (isNodeBuiltin(specifier) || OPTIONAL_SDK_IMPORTS.has(specifier)) return [];
    const local = join(dirname(file), specifier);
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) return [`${file}: ${specifier}`];
    if (!existsSync(join(dir, local))) return [`${file}: ${specifier} (missing)`];
    return outsideImportsOf(dir, local, seen);
  });
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

const idAt = (path: string) => logicalIdAtPath(synth.template, `${stackName}/${path}`);
const topicId = () => idAt('Notifications/Topic/Resource');
const ledgerId = () => idAt('IncidentLedger/Table/Resource');

describe.each(PLAYBOOK_NAMES)('the %s function', (playbook) => {
  const fn = () => props(functionOf(synth.template, playbook));

  it('runs nodejs22.x on arm64 with 512 MB, bounded concurrency and a timeout', () => {
    expect(fn()).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      ReservedConcurrentExecutions: 3,
      Handler: 'index.handler',
      Timeout: { 'contain-instance': 90, 'revoke-credentials': 60, 'contain-function': 60, 'block-public-access': 60, 'quarantine-object': 60, 'contain-task': 90, 'contain-eks': 90, 'contain-database': 60, 'quarantine-image': 60, 'answer-sequence': 90, notify: 30 }[playbook],
    });
  });

  it('gets the runtime configuration, its name, the topic and the responder roles in its environment', () => {
    const env = environmentOf(synth.template, playbook);
    expect(JSON.parse(env.IR_RUNTIME_CONFIG as string)).toEqual(runtimeConfigOf(synth.config));
    expect(JSON.parse(env.IR_RUNTIME_CONFIG as string)).toMatchObject({ mode: 'enforce', exemptTagKey: 'security:exempt', blastRadius: { maxContainmentsPerHour: 4 } });
    expect(env.IR_LEDGER_TABLE).toEqual(ref(ledgerId()));
    expect(env.IR_PLAYBOOK).toBe(playbook);
    expect(env.IR_TOPIC_ARN).toEqual(ref(topicId()));
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(`guardduty-incident-response-${playbook}`);
  });

  it('protects exactly the responder roles, by the names they are created with', () => {
    const pseudo = { 'AWS::Region': 'eu-west-1' };
    // The owed Security Hub note writer's role is no playbook's (test/cdk/owed-note-delivery.test.ts): it holds no IAM action and is not named.
    const { roleId: writerRole } = owedNoteWriterIds(synth.template);
    const roles = Object.entries(resourcesOfType(synth.template, 'AWS::IAM::Role')).filter(([id]) => id !== writerRole).map(([, role]) => role);
    const roleNames = roles.map((role) => evaluate(props(role).RoleName, pseudo));
    const protectedNames = [...readLambdaEnvironment({ IR_PLAYBOOK: playbook, IR_RESPONDER_ROLES: evaluate(environmentOf(synth.template, playbook).IR_RESPONDER_ROLES, pseudo) }).protectedRoleNames];
    expect(protectedNames.sort()).toEqual(roleNames.sort());
    expect(protectedNames).toContain(`${stackName}-${playbook}-eu-west-1`);
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroupId = idAt(`${PASCAL[playbook]}/Logs/Resource`);
    expect(fn().LoggingConfig).toEqual({ LogGroup: ref(logGroupId) });
    expect(props(resourcesOfType(synth.template, 'AWS::Logs::LogGroup')[logGroupId]!).RetentionInDays).toBe(90);
  });

  it('sends failed asynchronous invocations to its own encrypted, TLS-only queue after the configured retries', () => {
    const queueId = idAt(`${PASCAL[playbook]}/FailureQueue/Resource`);
    const configs = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::EventInvokeConfig')).filter(
      (c) => JSON.stringify(props(c).FunctionName) === JSON.stringify(ref(functionIdOf(synth.template, playbook))),
    );
    expect(configs).toHaveLength(1);
    expect(props(configs[0]!)).toEqual({
      FunctionName: ref(functionIdOf(synth.template, playbook)),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } },
    });

    const queue = props(resourcesOfType(synth.template, 'AWS::SQS::Queue')[queueId]!);
    expect(queue.SqsManagedSseEnabled === true || queue.KmsMasterKeyId !== undefined).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const policies = Object.values(resourcesOfType(synth.template, 'AWS::SQS::QueuePolicy')).filter((p) =>
      JSON.stringify(props(p).Queues).includes(JSON.stringify(ref(queueId))),
    );
    const statements = policies.flatMap((p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: getAtt(queueId) }),
    );
  });

  it('raises an alarm on the topic when a finding lands in the failure queue', () => {
    const queueId = idAt(`${PASCAL[playbook]}/FailureQueue/Resource`);
    const alarm = props(resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')[idAt(`${PASCAL[playbook]}/FailedInvocationsAlarm/Resource`)]!);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [ref(topicId())],
      AlarmName: `${stackName}-${playbook}-failed-invocations`,
    });
  });

  it('is bundled locally as minified ESM with the require banner, a source map and the AWS SDK inside', () => {
    const dir = assetDirOf(playbook);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // Booleans, not the 1.5 MB bundle, in a failure message.
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    // Minified: a few very long lines (newlines survive only inside template literals); unminified it has over 50 000.
    expect(code.split('\n').length < code.length / 2000).toBe(true);
    // The SDK is inside (its user agent), and the only modules imported at run time are Node's own and the asset's chunks.
    expect(code.includes('aws-sdk-js')).toBe(true);
    expect(outsideImportsOf(dir, BUNDLE_FILE)).toEqual([]);
  });
});

describe('the bundles', () => {
  it('load in Node as ES modules and export the handler', () => {
    for (const playbook of PLAYBOOK_NAMES) {
      const url = pathToFileURL(join(assetDirOf(playbook), 'index.mjs')).href;
      const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      expect(out.trim()).toBe('function');
    }
  });
});

describe('the notification topic', () => {
  it('is encrypted with a customer-managed key that rotates', () => {
    const keyId = idAt('Notifications/Key/Resource');
    expect(props(resourcesOfType(synth.template, 'AWS::SNS::Topic')[topicId()]!).KmsMasterKeyId).toEqual(getAtt(keyId));
    expect(props(resourcesOfType(synth.template, 'AWS::KMS::Key')[keyId]!).EnableKeyRotation).toBe(true);
  });

  it('refuses publishing without TLS', () => {
    const statements = Object.values(resourcesOfType(synth.template, 'AWS::SNS::TopicPolicy'))
      .filter((p) => JSON.stringify(props(p).Topics) === JSON.stringify([ref(topicId())]))
      .flatMap((p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(topicId()),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('lets only this stack’s CloudWatch alarms publish and use the key', () => {
    const key = resourcesOfType(synth.template, 'AWS::KMS::Key')[idAt('Notifications/Key/Resource')]!;
    const keyPolicy = props(key).KeyPolicy as { Statement: Statement[] };
    const cloudWatch = keyPolicy.Statement.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }));
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0]!.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const sourceArn = (cloudWatch[0]!.Condition!.ArnLike as Record<string, Json>)['aws:SourceArn'];
    expect(evaluate(sourceArn, { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333' })).toBe(
      `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${stackName}-*`,
    );
    expect(cloudWatch[0]!.Condition!.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });

    const topicStatements = Object.values(resourcesOfType(synth.template, 'AWS::SNS::TopicPolicy')).flatMap(
      (p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const publish = topicStatements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }));
    expect(publish).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: ref(topicId()), Condition: cloudWatch[0]!.Condition }),
    ]);
  });

  it('has an email subscription per configured address', () => {
    const subscriptions = Object.values(resourcesOfType(synth.template, 'AWS::SNS::Subscription')).map((s) => props(s));
    expect(subscriptions.map((s) => s.Endpoint).sort()).toEqual(['oncall@example.com', 'secops@example.com']);
    for (const s of subscriptions) expect(s).toMatchObject({ Protocol: 'email', TopicArn: ref(topicId()) });
  });
});

describe('the incident ledger', () => {
  const table = () => resourcesOfType(synth.template, 'AWS::DynamoDB::Table')[ledgerId()]!;

  it('is the one table: on demand, encrypted, with point-in-time recovery, keyed by pk, with the TTL attribute deleteAfter', () => {
    expect(Object.keys(resourcesOfType(synth.template, 'AWS::DynamoDB::Table'))).toEqual([ledgerId()]);
    expect(props(table())).toEqual({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      // Only the used approval-link nonces set it (lambda/approval/nonces.ts): nothing else expires.
      TimeToLiveSpecification: { AttributeName: 'deleteAfter', Enabled: true },
    });
  });

  it('outlives the stack: it is the record of what the responder did', () => {
    expect(table().DeletionPolicy).toBe('Retain');
    expect(table().UpdateReplacePolicy).toBe('Retain');
  });

  it.each([
    ['contain-instance', ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['revoke-credentials', ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['notify', ['dynamodb:UpdateItem']],
  ] as const)('is written by %s with exactly %j, on the table alone', (playbook, actions) => {
    const statements = statementsOfRole(synth.template, roleIdOf(synth.template, playbook));
    const granting = statements.filter((st) => asList(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(granting.flatMap((st) => asList(st.Action)).sort()).toEqual([...actions]);
    expect(granting.map((st) => st.Resource)).toEqual([getAtt(ledgerId())]);
  });
});

describe('the outputs', () => {
  it('name the topic and every function, so tools can find them', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: Json }>;
    expect(outputs[TOPIC_ARN_OUTPUT]!.Value).toEqual(ref(topicId()));
    expect(outputs[LEDGER_TABLE_OUTPUT]!.Value).toEqual(ref(ledgerId()));
    for (const playbook of PLAYBOOK_NAMES) {
      const fnId = functionIdOf(synth.template, playbook);
      expect(outputs[functionNameOutput(playbook)]!.Value).toEqual(ref(fnId));
      expect(outputs[functionArnOutput(playbook)]!.Value).toEqual(getAtt(fnId));
      expect(outputs[failureQueueUrlOutput(playbook)]!.Value).toEqual(ref(idAt(`${PASCAL[playbook]}/FailureQueue/Resource`)));
    }
  });

  it('name the evidence key and carry the runtime configuration the functions run with, for ir', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: Json }>;
    expect(outputs[EVIDENCE_KEY_ARN_OUTPUT]!.Value).toEqual(getAtt(idAt('Evidence/Key/Resource')));
    const deployed = JSON.parse(outputs[RUNTIME_CONFIG_OUTPUT]!.Value as string) as unknown;
    expect(deployed).toEqual(runtimeConfigOf(synth.config));
    const fnId = functionIdOf(synth.template, 'contain-instance');
    const env = (synth.template.toJSON().Resources[fnId].Properties.Environment.Variables as Record<string, unknown>);
    expect(deployed).toEqual(JSON.parse(env.IR_RUNTIME_CONFIG as string));
  });
});

describe('the environment', () => {
  it('is not resolved: the stack synthesises without credentials or lookups', () => {
    expect(synth.stack.resolve(synth.stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(synth.stack.resolve(synth.stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(synth.assembly.manifest.missing ?? []).toEqual([]);
  });
});
