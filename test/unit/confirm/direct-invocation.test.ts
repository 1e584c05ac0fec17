import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetFindingsCommand } from '@aws-sdk/client-guardduty';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import { PLAYBOOKS } from '../../../lambda/playbooks/registry';
import { respondWith } from '../../../lambda/respond/respond-with';
import type { Report } from '../../../lambda/plan/document';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';
import type { LambdaContext } from '../../../lambda/runtime/home-account';
import { containFinding, enforceConfig, FINDING_ID } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID, answerFromWorld, defaultInstance, defaultWorld, isReadOnlyAction, ISOLATION_SG_A, PRIMARY_ENI, receivedCalls, UNRELATED_INSTANCE_ID, UNTRACK_SG_A, VPC_A } from '../../support/aws-mocks/contain-world';
import { forgetEverything, rememberGroups } from '../../../lambda/playbooks/contain-instance/early/group-memory';
import { DETECTOR_ID, guardDutyHolds, heldFinding, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { useMemberAccountMocks } from '../../support/aws-mocks/member-account';
import { handleAs } from '../../support/playbook-entries';

/*
 * Whoever may invoke a playbook function directly (lambda:InvokeFunction,
 * `ir invoke`) can hand it any finding. Through the contain-instance entry
 * point (lambda/handlers/, lambda/runtime/handle.ts), exactly as Lambda runs
 * it in enforce mode: a finding GuardDuty does not hold, or holds about
 * another instance, is planned and reported, and nothing is changed.
 */

const guardDuty = useGuardDuty();
const { mocks } = useMemberAccountMocks();
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const CONTEXT: LambdaContext = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:GuardDutyIncidentResponse-ContainInstance' };
const ENV: LambdaEnvironment = { playbook: 'contain-instance', config: enforceConfig(), topicArn: TOPIC, protectedRoleNames: [], defaultRegion: 'us-east-1' };

const changes = () => receivedCalls(mocks).filter((c) => c.service !== 'sns' && !isReadOnlyAction(c.action));

// A cold container: nothing is sent before GuardDuty's answer. A warm one's early move, and how it is undone: at the end of this file.
beforeEach(() => forgetEverything());
const eventOf = (detail: unknown) => ({ version: '0', id: 'forged', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: '111111111111', region: 'us-east-1', detail });

describe.each([
  ['a direct invocation {"finding": ...}', (finding: unknown) => ({ finding })],
  ['an EventBridge-shaped event', eventOf],
])('%s of a forged finding, in enforce mode', (_name, payload) => {
  it('cannot act when GuardDuty holds no such finding', async () => {
    guardDuty.holds();
    const report = (await handleAs(payload(containFinding()), CONTEXT, ENV)) as Report;
    expect(guardDuty.mock.commandCalls(GetFindingsCommand).map((c) => c.args[0].input)).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }]);
    expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
    expect(changes()).toEqual([]);
    expect(mocks.ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 0);
    // The attempt itself is reported.
    expect(mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain(`holds no finding ${FINDING_ID}`);
  });

  it('cannot redirect a real finding to another instance', async () => {
    guardDutyHolds(guardDuty.mock, [heldFinding(containFinding({ instanceId: UNRELATED_INSTANCE_ID }))]);
    const report = (await handleAs(payload(containFinding()), CONTEXT, ENV)) as Report;
    expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
    expect(changes()).toEqual([]);
  });

  it('acts on the finding GuardDuty holds as delivered (the same path, confirmed)', async () => {
    guardDuty.holds(containFinding());
    const report = (await handleAs(payload(containFinding()), CONTEXT, ENV)) as Report;
    expect(report.blockedBy).toEqual([]);
    expect(mocks.ec2).toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });
});

it('code that carries no confirmation refuses to answer a finding of an acting playbook at all, before any call', async () => {
  guardDuty.holds(containFinding());
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  await expect(respondWith(PLAYBOOKS, containFinding(), { config: enforceConfig(), clients, dryRun: false, responder: { protectedRoleNames: [] } })).rejects.toThrow(
    /routes to contain-instance, but this code carries no GuardDuty confirmation/,
  );
  expect(receivedCalls(mocks)).toEqual([]);
});

it('a warm container that remembers the VPC’s groups: a forged finding about a single-ENI instance is moved early, and put back on its own groups once GuardDuty does not confirm it', async () => {
  const world = defaultWorld();
  world.instance = { ...defaultInstance(), NetworkInterfaces: defaultInstance().NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
  answerFromWorld(mocks, () => world);
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
  guardDuty.holds();
  const report = (await handleAs({ finding: containFinding() }, CONTEXT, ENV)) as Report;
  expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
  // The price of the early move: the allow-all group for the round trip of GuardDuty's answer, then the groups the read saw.
  const instanceId = containFinding().resource!.instanceDetails!.instanceId;
  expect(changes().map((c) => c.input)).toEqual([
    { InstanceId: instanceId, Groups: [UNTRACK_SG_A] },
    { InstanceId: instanceId, Groups: ['sg-0web000000000001', 'sg-0ssh000000000001'] },
  ]);
  expect(world.movedTo.get(PRIMARY_ENI)).toEqual(['sg-0web000000000001', 'sg-0ssh000000000001']);
  expect(report.steps.find((s) => s.id === `early-untrack:${instanceId}`)).toMatchObject({ status: 'done', detail: expect.stringMatching(/put back at once/) });
  // Said in the subject, never "plan only": something was moved, then put back.
  const published = mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input;
  expect(published.Subject).toContain('MOVED THEN PUT BACK - NOT CONTAINED');
  expect(published.Message).toContain('THE PLAN WAS STOPPED');
});
