import { GetFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { guardDutyFindingOf, handleSecurityHubAction, SECURITY_HUB_PERSON_NOT_GIVEN, type SecurityHubActionDependencies } from '../../../lambda/approval/security-hub-action';
import { effectiveRoutingTable } from '../../../lambda/routing/overrides';
import { loadFixture } from '../../support/fixtures';

/*
 * The Security Hub custom actions (lambda/approval/security-hub-action.ts):
 * only the GuardDuty finding id is taken from the event; the finding is read
 * from GuardDuty and sent to the playbook the routing table names, as a
 * dry-run for "IR: plan", as a normal response (every guard, the approval
 * policy) for "IR: respond".
 */

const guardDuty = mockClient(GuardDutyClient);
const lambda = mockClient(LambdaClient);

const PLAN_ARN = 'arn:aws:securityhub:us-east-1:123456789012:action/custom/IrPlan';
const RESPOND_ARN = 'arn:aws:securityhub:us-east-1:123456789012:action/custom/IrRespond';
const event = loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as { detail: Record<string, unknown> & { id: string } };
const FINDING_ID = event.detail.id;
const ASFF = {
  Id: `arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${FINDING_ID}`,
  ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
  // Forged in the event: never used.
  Types: ['TTPs/Initial Access'],
};

function deps(): SecurityHubActionDependencies {
  const options = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
  return {
    guardDuty: new GuardDutyClient(options),
    lambda: new LambdaClient(options),
    region: 'us-east-1',
    actionArns: { plan: PLAN_ARN, respond: RESPOND_ARN },
    routingTable: effectiveRoutingTable(),
    playbookFunctions: { 'contain-instance': 'ir-contain-instance', 'revoke-credentials': 'ir-revoke', notify: 'ir-notify' },
  };
}

function actionEvent(actionArn: string, findings: unknown[]) {
  return { 'detail-type': 'Security Hub Findings - Custom Action', source: 'aws.securityhub', region: 'us-east-1', resources: [actionArn], detail: { findings } };
}

beforeEach(() => {
  guardDuty.reset();
  lambda.reset();
  guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: ['det-security'] });
  guardDuty.on(GetFindingsCommand).resolves({ Findings: [event.detail as never] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

it('reads the finding from GuardDuty and sends it to its playbook as a dry-run for IR: plan', async () => {
  const outcomes = await handleSecurityHubAction(deps(), actionEvent(PLAN_ARN, [ASFF]));
  expect(outcomes).toEqual([{ findingId: FINDING_ID, status: 'sent', playbook: 'contain-instance', dryRun: true }]);
  expect(guardDuty.commandCalls(GetFindingsCommand)[0]!.args[0].input).toEqual({ DetectorId: 'det-security', FindingIds: [FINDING_ID] });
  const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
  expect(invoke).toMatchObject({ FunctionName: 'ir-contain-instance', InvocationType: 'Event' });
  expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual({
    finding: JSON.parse(JSON.stringify(event.detail)),
    dryRun: true,
    // The test's event has no id, account, time or actionName: the record says they were not in it.
    requestedBy: { source: 'security-hub-custom-action', eventId: 'not in the event', account: 'not in the event', region: 'us-east-1', time: 'not in the event', actionName: 'not in the event', actionArn: PLAN_ARN, person: SECURITY_HUB_PERSON_NOT_GIVEN },
  });
});

it('sends with the finding everything the event says of the request, and that the console user is not in it', async () => {
  const real = {
    version: '0',
    id: '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
    'detail-type': 'Security Hub Findings - Custom Action',
    source: 'aws.securityhub',
    account: '123456789012',
    time: '2026-12-06T12:00:00Z',
    region: 'us-east-1',
    resources: [RESPOND_ARN],
    detail: { actionName: 'IR: respond', actionDescription: 'Respond to the finding', findings: [ASFF] },
  };
  await handleSecurityHubAction(deps(), real);
  const payload = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array)) as Record<string, unknown>;
  expect(payload.requestedBy).toEqual({
    source: 'security-hub-custom-action',
    eventId: '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-12-06T12:00:00Z',
    actionName: 'IR: respond',
    actionArn: RESPOND_ARN,
    person: SECURITY_HUB_PERSON_NOT_GIVEN,
  });
  expect(SECURITY_HUB_PERSON_NOT_GIVEN).toMatch(/^not given by AWS: /);
});

it('sends IR: respond without dryRun (the guards and the approval policy decide)', async () => {
  await handleSecurityHubAction(deps(), actionEvent(RESPOND_ARN, [ASFF]));
  const payload = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array)) as Record<string, unknown>;
  expect(payload).not.toHaveProperty('dryRun');
});

it('skips findings of other products and other regions, and an unknown finding, sending nothing for them', async () => {
  guardDuty.on(GetFindingsCommand).resolves({ Findings: [] });
  const outcomes = await handleSecurityHubAction(
    deps(),
    actionEvent(PLAN_ARN, [
      { Id: 'arn:aws:inspector2:us-east-1:123456789012:finding/abc', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector' },
      { ...ASFF, Id: ASFF.Id.replace(':us-east-1:', ':eu-west-1:') },
      ASFF,
    ]),
  );
  expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped']);
  expect(lambda.calls()).toHaveLength(0);
});

it("refuses an event naming none of this stack's actions", async () => {
  await expect(handleSecurityHubAction(deps(), actionEvent('arn:aws:securityhub:us-east-1:123456789012:action/custom/Other', [ASFF]))).rejects.toThrow("none of this stack's");
});

it('reads the GuardDuty finding id only from a GuardDuty finding ARN', () => {
  expect(guardDutyFindingOf(ASFF)).toEqual({ id: FINDING_ID, region: 'us-east-1' });
  expect(guardDutyFindingOf({ ...ASFF, Id: `${ASFF.Id}/../x` })).toBeUndefined();
  expect(guardDutyFindingOf({ ...ASFF, ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default' })).toBeUndefined();
});
