import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, recordedOriginalGroups, responderGroups, snapshotsOfVolumes } from './support/ec2-state';
import { instanceFinding } from './support/findings';
import { readInbox } from './support/inbox';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * EventBridge retries and GuardDuty re-sends: the same finding arrives more
 * than once. The second delivery must not take a second set of snapshots or
 * create a second isolation group, and must not overwrite the record of the
 * ENIs' original groups with the isolation group it finds on them now.
 */

let account: EmulatedAccount;
let finding: Finding;
let first: Report;
let second: Report;
let afterFirst: { snapshotIds: string[]; isolationIds: string[]; untrackIds: string[]; recorded: Record<string, string[]> };

async function countsNow() {
  const { ec2 } = account.clients;
  const { vpcId } = account.seed.network;
  const { instanceId } = account.seed.instanceA;
  return {
    snapshotIds: (await snapshotsOfVolumes(ec2, account.seed.instanceA.volumeIds)).map((s) => s.SnapshotId ?? '').sort(),
    isolationIds: (await responderGroups(ec2, vpcId, 'isolation')).map((g) => g.GroupId ?? '').sort(),
    untrackIds: (await responderGroups(ec2, vpcId, 'untrack')).map((g) => g.GroupId ?? '').sort(),
    recorded: recordedOriginalGroups(await describeInstance(ec2, instanceId)),
  };
}

beforeAll(async () => {
  account = await freshSeededAccount();
  finding = instanceFinding(account.seed, account.seed.instanceA);
  first = await runPlaybook(account, finding);
  afterFirst = await countsNow();
  second = await runPlaybook(account, finding);
});

describe('the same finding delivered twice', () => {
  it('is one incident: both runs complete without a failed step, under the same incident id', () => {
    expect(failedSteps(first)).toEqual([]);
    expect(failedSteps(second)).toEqual([]);
    expect(second.incidentId).toBe(first.incidentId);
  });

  it('keeps the one set of three snapshots the first delivery took', async () => {
    expect(afterFirst.snapshotIds).toHaveLength(3);
    expect((await countsNow()).snapshotIds).toEqual(afterFirst.snapshotIds);
  });

  it('keeps one isolation and one untrack group in the VPC', async () => {
    expect(afterFirst.isolationIds).toHaveLength(1);
    expect(afterFirst.untrackIds).toHaveLength(1);
    const now = await countsNow();
    expect(now.isolationIds).toEqual(afterFirst.isolationIds);
    expect(now.untrackIds).toEqual(afterFirst.untrackIds);
  });

  it("still records each ENI's ORIGINAL groups, not the isolation group", async () => {
    const seeded = Object.fromEntries(account.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds]]));
    const now = await countsNow();
    expect(now.recorded).toEqual(seeded);
    expect(Object.values(now.recorded).flat()).not.toContain(afterFirst.isolationIds[0]);
  });

  it('leaves the instance isolated', async () => {
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    for (const groups of Object.values(groupsByEni(instance))) expect(groups).toEqual(afterFirst.isolationIds);
  });

  it('reports both deliveries to the security team', async () => {
    const mine = (await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl)).filter((n) => n.message.includes(finding.id));
    expect(mine).toHaveLength(2);
  });
});
