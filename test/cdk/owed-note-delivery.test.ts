import { OWED_NOTE_WRITER_STEP_SPECS } from '../../lambda/close-loop/specs';
import { securityHubImportedPattern } from '../../lambda/close-loop/imported-event';
import { LOG_WRITING_ACTIONS, ON_FAILURE_DESTINATION_ACTIONS } from '../../lib/iam/support-actions';
import { OWED_NOTE_CONCURRENCY } from '../../lib/owed-note-delivery';
import { cdkJsonContext, synthesize, type Synthesized } from './support/synth';
import { asList, props, resourcesOfType, statementsOfRole, type Resource } from './support/template-queries';

/*
 * The writer of the Security Hub notes the ledger owes (lib/owed-note-delivery.ts):
 * its rule on Security Hub's Imported events of GuardDuty findings, its
 * function and its role, exactly the step declarations' actions
 * (OWED_NOTE_WRITER_STEP_SPECS) on the ledger table and the hub, plus its
 * own logs and on-failure queue. Only with securityHub.updateFindings on.
 */

let synth: Synthesized;
let off: Synthesized;

beforeAll(() => {
  synth = synthesize();
  const base = (cdkJsonContext().incidentResponse ?? {}) as Record<string, unknown>;
  off = synthesize({ context: { incidentResponse: { ...base, securityHub: { updateFindings: false } } } });
});

const logicalId = (s: Synthesized, construct: { node: { defaultChild?: unknown } }) => s.stack.getLogicalId(construct.node.defaultChild as never);

function writer(s: Synthesized): { id: string; fn: Resource } {
  const owed = s.stack.owedNotes;
  if (!owed) throw new Error('no owed-note writer in the stack');
  const id = logicalId(s, owed.function);
  return { id, fn: resourcesOfType(s.template, 'AWS::Lambda::Function')[id]! };
}

it('a rule on Security Hub’s Imported events of GuardDuty findings in the stack’s region invokes the writer, and nothing else does', () => {
  const { id } = writer(synth);
  const rules = Object.values(resourcesOfType(synth.template, 'AWS::Events::Rule')).filter((rule) =>
    asList(props(rule).Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })),
  );
  expect(rules).toHaveLength(1);
  const pattern = securityHubImportedPattern(synth.stack.partition, synth.stack.region);
  expect(props(rules[0]!).EventPattern).toEqual(synth.stack.resolve(pattern));
  expect(synth.stack.resolve(pattern.detail.findings.ProductArn)).toEqual([
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, '::product/aws/guardduty']] },
  ]);
  expect(props(rules[0]!).State).toBe('ENABLED');
});

it('the function: its own bundle, the ledger table, a small concurrency, retries and an on-failure queue as the playbooks have', () => {
  const { id, fn } = writer(synth);
  const p = props(fn);
  expect(p.Handler).toBe('index.handler');
  expect(p.Runtime).toBe('nodejs22.x');
  expect(p.Timeout).toBe(30);
  expect(p.ReservedConcurrentExecutions).toBe(OWED_NOTE_CONCURRENCY);
  expect((p.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
    IR_LEDGER_TABLE: { Ref: logicalId(synth, synth.stack.ledger.table) },
    POWERTOOLS_SERVICE_NAME: 'guardduty-incident-response-security-hub-note',
    NODE_OPTIONS: '--enable-source-maps',
  });
  const invokeConfig = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::EventInvokeConfig')).find((c) => JSON.stringify(props(c).FunctionName) === JSON.stringify({ Ref: id }));
  expect(props(invokeConfig!)).toMatchObject({
    MaximumRetryAttempts: synth.config.retryAttempts,
    MaximumEventAgeInSeconds: 6 * 3600,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(synth, synth.stack.owedNotes!.failureQueue), 'Arn'] } } },
  });
});

it('its role holds the step declarations’ actions on the ledger table and the hub, its logs and its queue, nothing else', () => {
  const { fn } = writer(synth);
  const roleId = (props(fn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = statementsOfRole(synth.template, roleId);
  const declared = OWED_NOTE_WRITER_STEP_SPECS.flatMap((spec) => spec.iamActions);
  expect([...new Set(statements.flatMap((s) => asList(s.Action)))].sort()).toEqual([...new Set([...declared, ...LOG_WRITING_ACTIONS, ...ON_FAILURE_DESTINATION_ACTIONS])].sort());
  expect(declared.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'securityhub:BatchUpdateFindings']);
  const on = (prefix: string) =>
    statements.filter((s) => asList(s.Action).some((a) => a.startsWith(prefix))).map((s) => ({ actions: asList(s.Action).sort(), resource: synth.stack.resolve(s.Resource) as unknown }));
  expect(on('dynamodb:')).toEqual([{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: { 'Fn::GetAtt': [logicalId(synth, synth.stack.ledger.table), 'Arn'] } }]);
  expect(on('securityhub:')).toEqual([
    {
      actions: ['securityhub:BatchUpdateFindings'],
      resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':hub/default']] },
    },
  ]);
  expect(statements.every((s) => s.Effect === 'Allow' && !asList(s.Resource as never).includes('*' as never))).toBe(true);
});

it('securityHub.updateFindings off: no writer, no rule on Security Hub’s events', () => {
  expect(off.stack.owedNotes).toBeUndefined();
  const onSecurityHub = Object.values(resourcesOfType(off.template, 'AWS::Events::Rule')).filter((rule) =>
    asList((props(rule).EventPattern as { source?: string[] } | undefined)?.source).includes('aws.securityhub'),
  );
  expect(onSecurityHub).toEqual([]);
  expect(Object.keys(resourcesOfType(off.template, 'AWS::Lambda::Function')).length).toBe(Object.keys(resourcesOfType(synth.template, 'AWS::Lambda::Function')).length - 1);
});
