import { CreateTagsCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { launchInstance } from '../../emulator/seed/instances';
import { forgetEverything, recallGroups } from '../../lambda/playbooks/contain-instance/early/group-memory';
import type { Report } from '../../lambda/plan/document';
import { respond } from '../../lambda/respond/respond';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { instanceFinding } from './support/findings';
import { ENFORCE_CONFIG, failedSteps, RESPONDER } from './support/run-playbook';

/*
 * The early move on the emulator (lambda/playbooks/contain-instance/early/):
 * the Lambda's responses (earlyMove) in one warm process. The first incident
 * of the VPC creates the groups; the next one finds them and remembers them;
 * a later single-ENI instance is moved by the instance's id
 * (ModifyInstanceAttribute Groups, which moto accepts) before any read, then
 * to the isolation group by its ENI id; an exempt one is put back.
 * The emulator gives EC2's behaviour of ModifyInstanceAttribute Groups (the
 * primary interface's groups replaced; refused for an instance with several
 * interfaces), which moto alone does not: emulator/moto_watchdog.py,
 * test/integration/emulator-instance-groups.test.ts.
 */

let account: EmulatedAccount;

beforeAll(async () => {
  forgetEverything();
  account = await freshSeededAccount();
});

/** The ENI's groups, read by its own id. */
async function eniGroups(networkInterfaceId: string): Promise<string[]> {
  const { NetworkInterfaces = [] } = await account.clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));
  return (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId ?? '').sort();
}

/** GuardDuty's first delivery of a new finding (count 1, generated just now): a later occurrence or a late delivery is never moved before the read. */
function respondAsLambda(later: ReturnType<typeof instanceFinding>): Promise<Report> {
  const at = new Date().toISOString();
  const finding = { ...later, createdAt: at, updatedAt: at, service: { ...later.service, count: 1 } };
  return respond(finding, { config: ENFORCE_CONFIG, clients: account.clients, dryRun: false, topicArn: account.seed.notifications.topicArn, responder: RESPONDER, earlyMove: true });
}

it('first incident of the VPC: groups created, none remembered yet; the next finds and remembers them, moving its ENIs by id after the read', async () => {
  const { seed } = account;
  const first = await respondAsLambda(instanceFinding(seed, seed.instanceA));
  expect(failedSteps(first)).toEqual([]);
  const vpcId = seed.network.vpcId;
  const [untrack] = await responderGroups(account.clients.ec2, vpcId, 'untrack');
  const [isolation] = await responderGroups(account.clients.ec2, vpcId, 'isolation');
  const second = await respondAsLambda(instanceFinding(seed, seed.instanceB));
  expect(failedSteps(second)).toEqual([]);
  expect(recallGroups({ accountId: seed.accountId, region: seed.region, vpcId })).toEqual({ untrackGroupId: untrack!.GroupId, isolationGroupId: isolation!.GroupId });
  const eni = seed.instanceB.networkInterfaces[0]!.networkInterfaceId;
  expect(second.steps.find((s) => s.id === `untrack:${eni}`)).toMatchObject({ status: 'done' });
  expect(groupsByEni(await describeInstance(account.clients.ec2, seed.instanceB.instanceId))).toEqual({ [eni]: [isolation!.GroupId] });
});

it('a single-ENI instance, groups remembered: moved by the instance’s id first, then isolated by its ENI id', async () => {
  const { seed } = account;
  const instance = await launchInstance(account.clients.ec2, seed.network, { name: 'web-early' });
  const report = await respondAsLambda(instanceFinding(seed, instance));
  expect(failedSteps(report)).toEqual([]);
  const [isolation] = await responderGroups(account.clients.ec2, seed.network.vpcId, 'isolation');
  const eni = instance.networkInterfaces[0]!.networkInterfaceId;
  expect(report.steps.find((s) => s.id === `early-untrack:${instance.instanceId}`)).toMatchObject({ status: 'done', action: 'ec2:ModifyInstanceAttribute' });
  expect(report.steps.find((s) => s.id === `isolate:${eni}`)).toMatchObject({ status: 'done' });
  expect(report.steps.find((s) => s.id === `put-back:${eni}`)).toMatchObject({ status: 'skipped' });
  // The isolation group alone, as in EC2 (the emulator gives EC2's instance-level groups: emulator/moto_watchdog.py).
  expect(await eniGroups(eni)).toEqual([isolation!.GroupId]);
  expect(groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId))).toEqual({ [eni]: [isolation!.GroupId] });
});

it('an exempt single-ENI instance: the early move is put back at once on the groups the read saw, nothing else moves', async () => {
  const { seed } = account;
  const instance = await launchInstance(account.clients.ec2, seed.network, { name: 'web-exempt' });
  // Tagged after GuardDuty's snapshot: the finding does not show it, only the instance's read does.
  const finding = instanceFinding(seed, instance);
  await account.clients.ec2.send(new CreateTagsCommand({ Resources: [instance.instanceId], Tags: [{ Key: 'ir:exempt', Value: 'true' }] }));
  // The read and the early move go out together; the emulator answers one call at a time, in the order they arrive. Held
  // back a little, the move lands after the read, which then saw the groups the instance had (a read answered after it
  // shows the untrack group: then the instance is closed instead, early-move-safety.test.ts N1).
  const HOLD = 'holdTheEarlyMove';
  account.clients.ec2.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ModifyInstanceAttributeCommand') await new Promise((resolve) => setTimeout(resolve, 300));
      return next(args);
    },
    { step: 'initialize', name: HOLD },
  );
  let report: Report;
  try {
    report = await respondAsLambda(finding);
  } finally {
    account.clients.ec2.middlewareStack.remove(HOLD);
  }
  expect(report.blockedBy).toContain('exempt-tag');
  const eni = instance.networkInterfaces[0]!.networkInterfaceId;
  expect(report.steps.find((s) => s.id === `early-untrack:${instance.instanceId}`)).toMatchObject({ status: 'done', detail: expect.stringMatching(/put back at once/) });
  expect(await eniGroups(eni)).toEqual([seed.network.securityGroups.web]);
});
