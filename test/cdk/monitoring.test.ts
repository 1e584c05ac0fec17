import { effectiveRoutingTable } from '../../lambda/routing/overrides';
import { heartbeatInvocation } from '../../lambda/heartbeat/synthetic-findings';
import { preparePlan } from '../../lambda/respond/respond';
import { runtimeConfigOf } from '../../lambda/config/schema';
import { routeFinding } from '../../lambda/routing/route';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { parseInvocation } from '../../lambda/runtime/invocation';
import { FINDINGS_BY_TYPE_AND_OUTCOME_QUERY, LATEST_RESPONSES_QUERY } from '../../lib/monitoring/dashboard';
import { synthesize, type Synthesized } from './support/synth';
import { evaluate, functionIdOf, getAtt, logicalIdAtPath, owedNoteWriterIds, props, ref, resourcesOfType, type Json, type Resource, type Statement } from './support/template-queries';

// A routing override, so the heartbeat is proven to follow the team's table: its first contain-instance type is moved away.
const CONFIG = { routing: { remove: ['Backdoor:EC2/C&CActivity.B'] } };
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
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333', 'AWS::URLSuffix': 'amazonaws.com' };

let synth: Synthesized;
let stackName: string;
let alarms: Record<string, Resource>;

beforeAll(() => {
  synth = synthesize({ context: { incidentResponse: CONFIG } });
  stackName = synth.stack.stackName;
  alarms = resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm');
});

const idAt = (path: string) => logicalIdAtPath(synth.template, `${stackName}/${path}`);
const topic = () => ref(idAt('Notifications/Topic/Resource'));
const alarmAt = (path: string) => props(alarms[idAt(`${path}/Resource`)]!);
const fnRef = (playbook: PlaybookName) => ref(functionIdOf(synth.template, playbook));
const reportsToTopic = () => ({ AlarmActions: [topic()], OKActions: [topic()] });

/** Ref, Fn::GetAtt and Fn::Join, with resources as `<id>` / `<id>.<attr>` placeholders: enough to read a dashboard body. */
function resolve(value: Json): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, Json>;
  if (typeof object.Ref === 'string') return (PSEUDO as Record<string, string>)[object.Ref] ?? `<${object.Ref}>`;
  if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  const [separator, parts] = object['Fn::Join'] as [string, Json[]];
  return parts.map(resolve).join(separator);
}

describe.each(PLAYBOOK_NAMES)('the %s playbook alarms', (playbook) => {
  const base = () => `Monitoring/${PASCAL[playbook]}Alarms`;

  it('says that a duplicate delivery meeting an unanswered claim fails as retryable and counts as an error', () => {
    expect(alarmAt(`${base()}/Errors`).AlarmDescription).toContain(
      'A duplicate delivery that meets an unanswered claim of the same incident also fails as retryable (being-answered) and counts as an error here',
    );
  });

  it.each([
    ['error', 'Errors', 'errors', 'failed an invocation'],
    ['throttle', 'Throttles', 'throttles', 'was throttled'],
  ])('fire on the first %s in five minutes', (_what, metric, suffix, description) => {
    expect(alarmAt(`${base()}/${metric}`)).toEqual({
      AlarmName: `${stackName}-${playbook}-${suffix}`,
      AlarmDescription: expect.stringContaining(`The ${playbook} playbook ${description}`),
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: fnRef(playbook) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...reportsToTopic(),
    });
  });

  it('fire when no heartbeat came for 26 hours, missing data counting as breaching', () => {
    expect(alarmAt(`Monitoring/${PASCAL[playbook]}Heartbeat/MissingAlarm`)).toEqual({
      AlarmName: `${stackName}-${playbook}-heartbeat-missing`,
      AlarmDescription: expect.stringContaining(`No heartbeat from the ${playbook} playbook for 26 hours`),
      Namespace: 'GuardDutyIncidentResponse',
      MetricName: 'Heartbeat',
      Dimensions: [
        { Name: 'FunctionName', Value: fnRef(playbook) },
        { Name: 'Playbook', Value: playbook },
      ],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
      ...reportsToTopic(),
    });
  });

  it('fire on the first finding in the on-failure queue, and report when it clears', () => {
    expect(alarmAt(`${PASCAL[playbook]}/FailedInvocationsAlarm`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(idAt(`${PASCAL[playbook]}/FailureQueue/Resource`), 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      ...reportsToTopic(),
    });
  });
});

describe('the routing rule alarms', () => {
  it('watch FailedInvocations of every routing rule, one alarm each', () => {
    // The owed Security Hub note writer's rule (lib/owed-note-delivery.ts) has its alarm too.
    const { ruleId: owedNoteRule } = owedNoteWriterIds(synth.template);
    const routingRules = Object.entries(resourcesOfType(synth.template, 'AWS::Events::Rule')).filter(([id, rule]) => props(rule).EventPattern && id !== owedNoteRule);
    expect(routingRules).toHaveLength(synth.stack.routing.patterns.length);
    const ruleAlarms = Object.values(alarms).filter((alarm) => props(alarm).Namespace === 'AWS/Events').map(props);
    const json = (values: readonly Json[]) => values.map((value) => JSON.stringify(value)).sort();
    expect(json(ruleAlarms.map((alarm) => alarm.Dimensions))).toEqual(json([...routingRules.map(([id]) => id), owedNoteRule].map((id) => [{ Name: 'RuleName', Value: ref(id) }])));
    for (const { id, playbook } of synth.stack.routing.patterns) {
      const ruleId = idAt(`Routing/${id}/Resource`);
      expect(alarmAt(`Monitoring/RuleAlarms/${id}`)).toEqual({
        AlarmName: `${stackName}-rule-${id}-failed-invocations`,
        AlarmDescription: expect.stringContaining(`matched by the ${id} rule to the ${playbook} playbook`),
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: ref(ruleId) }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        ...reportsToTopic(),
      });
    }
  });
});

/** The alarms of the responder's own health: lib/monitoring/ and each playbook's on-failure queue alarm. */
function responderAlarmIds(): string[] {
  const paths = [
    ...PLAYBOOK_NAMES.flatMap((p) => [`Monitoring/${PASCAL[p]}Alarms/Errors`, `Monitoring/${PASCAL[p]}Alarms/Throttles`, `Monitoring/${PASCAL[p]}Heartbeat/MissingAlarm`, `${PASCAL[p]}/FailedInvocationsAlarm`]),
    ...synth.stack.routing.patterns.map(({ id }) => `Monitoring/RuleAlarms/${id}`),
  ];
  return paths.map((path) => idAt(`${path}/Resource`));
}

describe('every alarm of the stack', () => {
  it('is named <stack>-…, so the key policy lets CloudWatch use the topic key for it, and reports to the topic', () => {
    expect(new Set(responderAlarmIds()).size).toBe(PLAYBOOK_NAMES.length * 4 + synth.stack.routing.patterns.length);
    const key = props(resourcesOfType(synth.template, 'AWS::KMS::Key')[idAt('Notifications/Key/Resource')]!).KeyPolicy as { Statement: Statement[] };
    const cloudWatch = key.Statement.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }));
    expect(cloudWatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsUseKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': expect.anything() } },
      },
    ]);
    const pattern = evaluate((cloudWatch[0]!.Condition!.ArnLike as Record<string, Json>)['aws:SourceArn'], PSEUDO);
    const matches = new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '*' ? '.*' : `\\${c}`))}$`);
    for (const alarm of Object.values(alarms).map(props)) {
      expect(`arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${alarm.AlarmName as string}`).toMatch(matches);
      expect(alarm.AlarmActions).toContainEqual(topic());
    }
    // And the pattern is no wider than this stack's alarms.
    expect(`arn:aws:cloudwatch:eu-west-1:111122223333:alarm:SomeOtherStack-errors`).not.toMatch(matches);
    expect(`arn:aws:cloudwatch:eu-west-1:999999999999:alarm:${stackName}-notify-errors`).not.toMatch(matches);
  });
});

describe.each(PLAYBOOK_NAMES)('the %s heartbeat rule', (playbook) => {
  const rule = () => props(resourcesOfType(synth.template, 'AWS::Events::Rule')[idAt(`Monitoring/${PASCAL[playbook]}Heartbeat/Schedule/Resource`)]!);
  const input = () => JSON.parse(evaluate((rule().Targets as { Input: Json }[])[0]!.Input, PSEUDO)) as unknown;

  it('runs once a day and targets the playbook function', () => {
    expect(rule()).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(rule().Targets).toEqual([{ Id: 'Target0', Arn: getAtt(functionIdOf(synth.template, playbook)), Input: expect.anything() }]);
    const permissions = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::Permission')).map(props);
    expect(permissions).toContainEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionIdOf(synth.template, playbook)),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(idAt(`Monitoring/${PASCAL[playbook]}Heartbeat/Schedule/Resource`)),
    });
  });

  it('sends the shared synthetic finding of the stack’s own account and region, as a dry-run heartbeat', () => {
    const target = { accountId: PSEUDO['AWS::AccountId'], region: PSEUDO['AWS::Region'], partition: 'aws' };
    expect(input()).toEqual(heartbeatInvocation(playbook, target, effectiveRoutingTable(synth.config.routing)));
    expect(input()).toMatchObject({ dryRun: true, heartbeat: true });
  });

  it('routes to its playbook under the configured routing and is blocked from acting, even on an enforce stack', async () => {
    const invocation = parseInvocation(input());
    expect(invocation).toMatchObject({ heartbeat: true, dryRunRequested: true });
    const config = { ...runtimeConfigOf(synth.config), mode: 'enforce' as const };
    const table = effectiveRoutingTable(config.routing);
    for (const finding of invocation.findings) {
      expect(routeFinding(finding, table).playbook).toBe(playbook);
      const { document } = await preparePlan(finding, { config, dryRun: invocation.dryRunRequested, responder: { protectedRoleNames: [] } });
      expect(document.blockedBy).toEqual(expect.arrayContaining(['sample-finding', 'dry-run']));
    }
  });
});

describe('the heartbeat findings', () => {
  it('follow the routing overrides: the removed contain-instance type is replaced by the next candidate', () => {
    const rule = props(resourcesOfType(synth.template, 'AWS::Events::Rule')[idAt('Monitoring/ContainInstanceHeartbeat/Schedule/Resource')]!);
    const input = JSON.parse(evaluate((rule.Targets as { Input: Json }[])[0]!.Input, PSEUDO)) as { finding: { type: string } };
    expect(input.finding.type).toBe('CryptoCurrency:EC2/BitcoinTool.B');
  });
});

describe('the dashboard', () => {
  type Widget = { type: string; width: number; properties: Record<string, Json> };
  let widgets: Widget[];

  beforeAll(() => {
    const dashboards = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard')).map(props);
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.DashboardName).toBe(stackName);
    widgets = (JSON.parse(resolve(dashboards[0]!.DashboardBody)) as { widgets: Widget[] }).widgets;
  });

  const logGroups = () => PLAYBOOK_NAMES.map((playbook) => `<${idAt(`${PASCAL[playbook]}/Logs/Resource`)}>`);
  const titled = (title: string) => {
    const found = widgets.filter((w) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('counts real findings by type and outcome from the playbooks’ "playbook finished" log lines', () => {
    const widget = titled('Findings by type and outcome (heartbeats excluded)');
    expect(widget.type).toBe('log');
    const query = widget.properties.query as string;
    expect(query).toBe(`${logGroups().map((name) => `SOURCE '${name}'`).join(' | ')} | ${FINDINGS_BY_TYPE_AND_OUTCOME_QUERY.join('\n| ')}`);
    expect(query).toContain('filter message = "playbook finished" and trigger = "finding"');
    expect(query).toContain('stats count(*) as findings by findingType, outcome');
    expect(titled('Latest responses').properties.query).toContain(LATEST_RESPONSES_QUERY[1]);
  });

  it('graphs errors, throttles, heartbeats and the on-failure queues of every playbook, and the rules’ failed invocations', () => {
    const metricsOf = (title: string) => (titled(title).properties.metrics as Json[][]).map((m) => m.slice(0, 2));
    expect(metricsOf('Playbook errors')).toEqual(PLAYBOOK_NAMES.map(() => ['AWS/Lambda', 'Errors']));
    expect(metricsOf('Playbook throttles')).toEqual(PLAYBOOK_NAMES.map(() => ['AWS/Lambda', 'Throttles']));
    expect(metricsOf('Heartbeats (one a day per playbook)')).toEqual(PLAYBOOK_NAMES.map(() => ['GuardDutyIncidentResponse', 'Heartbeat']));
    expect(metricsOf('On-failure queue depth (findings that failed every retry)')).toEqual(
      PLAYBOOK_NAMES.map(() => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible']),
    );
    expect(metricsOf('EventBridge failed invocations per routing rule')).toEqual(synth.stack.routing.patterns.map(() => ['AWS/Events', 'FailedInvocations']));
  });

  it('shows the state of every alarm of the stack', () => {
    const listed = titled('Responder alarms').properties.alarms as string[];
    expect([...listed].sort()).toEqual(responderAlarmIds().map((id) => `<${id}.Arn>`).sort());
  });
});
