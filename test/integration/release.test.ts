import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import type { ReleaseReport } from '../../lambda/release/report';
import { runIr } from '../support/run-ir';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, snapshotsOfVolumes, tagsOf, terminationProtection } from './support/ec2-state';
import { instanceFinding } from './support/findings';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * `ir release` against the emulator: instance A is contained by the
 * playbook (a finding that implies its credentials were stolen, so the
 * instance profile is taken off too), then released. Every ENI must be on
 * exactly the groups it was seeded with, the profile back, no incident tag
 * left, the evidence snapshots still there. Instance B, never contained,
 * carries no record: releasing it is refused and changes nothing.
 */

let account: EmulatedAccount;
let contained: Report;
let dryRun: ReleaseReport;
let released: ReleaseReport;
let snapshotsAfterContainment: string[];

const seededGroupsOf = (instance: EmulatedAccount['seed']['instanceA']) =>
  Object.fromEntries(instance.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()]));

async function associatedProfiles(instanceId: string): Promise<string[]> {
  const { IamInstanceProfileAssociations = [] } = await account.clients.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
  );
  return IamInstanceProfileAssociations.filter((a) => a.State === 'associated' || a.State === 'associating').map((a) => a.IamInstanceProfile?.Arn ?? '');
}

const irTags = (tags: Record<string, string>) => Object.keys(tags).filter((key) => key.startsWith('ir:')).sort();

function release(instanceId: string, options: { dryRun: boolean }): Promise<ReleaseReport> {
  return releaseInstance(instanceId, { clients: account.clients, region: account.seed.region, dryRun: options.dryRun });
}

beforeAll(async () => {
  account = await freshSeededAccount();
  const { instanceA } = account.seed;
  contained = await runPlaybook(account, instanceFinding(account.seed, instanceA, { type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' }));
  snapshotsAfterContainment = (await snapshotsOfVolumes(account.clients.ec2, instanceA.volumeIds)).map((s) => s.SnapshotId ?? '').sort();
  dryRun = await release(instanceA.instanceId, { dryRun: true });
});

describe('instance A, contained by the playbook', () => {
  it('is isolated, without its instance profile, and carries the record of both', async () => {
    const { instanceA } = account.seed;
    expect(failedSteps(contained)).toEqual([]);
    const instance = await describeInstance(account.clients.ec2, instanceA.instanceId);
    expect(groupsByEni(instance)).not.toEqual(seededGroupsOf(instanceA));
    expect(await associatedProfiles(instanceA.instanceId)).toEqual([]);
    expect(tagsOf(instance)['ir:original-instance-profile']).toBe(instanceA.instanceProfileArn);
    expect(snapshotsAfterContainment).toHaveLength(instanceA.volumeIds.length);
  });
});

describe('ir release --dry-run of instance A', () => {
  it('plans every restore and changes nothing', async () => {
    const { instanceA } = account.seed;
    expect(dryRun.refused).toBeNull();
    expect(new Set(dryRun.steps.map((s) => `${s.status}: ${s.reason}`))).toEqual(new Set(['skipped: blocked by dry-run']));
    expect(dryRun.steps.map((s) => s.id).sort()).toEqual(
      [...instanceA.networkInterfaces.map((e) => `restore-groups:${e.networkInterfaceId}`), 'restore-instance-profile', 'remove-incident-tags'].sort(),
    );
    const instance = await describeInstance(account.clients.ec2, instanceA.instanceId);
    expect(groupsByEni(instance)).not.toEqual(seededGroupsOf(instanceA));
    expect(await associatedProfiles(instanceA.instanceId)).toEqual([]);
    expect(irTags(tagsOf(instance))).toContain('ir:incident-id');
  });
});

describe('ir release of instance A', () => {
  beforeAll(async () => {
    released = await release(account.seed.instanceA.instanceId, { dryRun: false });
  });

  it('completes without a failed read or step', () => {
    expect(released.refused).toBeNull();
    expect([...released.reads, ...released.steps].filter((o) => o.status === 'failed')).toEqual([]);
    expect(released.steps.every((s) => s.status === 'done')).toBe(true);
  });

  it('puts every ENI back on exactly the groups it was seeded with', async () => {
    const instance = await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId);
    expect(groupsByEni(instance)).toEqual(seededGroupsOf(account.seed.instanceA));
  });

  it('associates the original instance profile again', async () => {
    expect(await associatedProfiles(account.seed.instanceA.instanceId)).toEqual([account.seed.instanceA.instanceProfileArn]);
  });

  it('leaves no ir: tag, and every other tag as seeded', async () => {
    const tags = tagsOf(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId));
    expect(irTags(tags)).toEqual([]);
    expect(tags).toEqual(account.seed.instanceA.tags);
  });

  it('keeps the evidence snapshots, and says so', async () => {
    const now = (await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds)).map((s) => s.SnapshotId ?? '').sort();
    expect(now).toEqual(snapshotsAfterContainment);
    expect(released.snapshotsKept).toEqual(snapshotsAfterContainment);
    expect(released.warnings).toContain(`Evidence snapshots are kept: ${snapshotsAfterContainment.join(', ')}. Delete them when the investigation is closed.`);
  });

  it('leaves termination protection on (evidence preservation), and says so', async () => {
    expect(await terminationProtection(account.clients.ec2, account.seed.instanceA.instanceId)).toBe(true);
    expect(released.warnings.some((w) => w.startsWith('Termination protection'))).toBe(true);
  });

  it('refuses a second release: the record is gone with the tags', async () => {
    const again = await release(account.seed.instanceA.instanceId, { dryRun: false });
    expect(again.refused).toMatch(/carries no record of a containment/);
    expect(again.steps).toEqual([]);
  });
});

describe('ir release of instance B, never contained', () => {
  it('is refused through the CLI (exit 1), and nothing about B changes', async () => {
    const { instanceB } = account.seed;
    const before = await describeInstance(account.clients.ec2, instanceB.instanceId);
    const profilesBefore = await associatedProfiles(instanceB.instanceId);
    // No stack is deployed in this emulator: the release goes without a trail only because it says so.
    const run = await runIr('release', instanceB.instanceId, '--endpoint-url', account.endpoint, '--region', account.seed.region, '--from-tags', '--no-notify', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ir: release refused: instance i-[0-9a-f]+ carries no record of a containment/);
    expect(JSON.parse(run.stdout)).toMatchObject([{ refused: expect.stringContaining('nothing was changed'), steps: [] }]);
    const after = await describeInstance(account.clients.ec2, instanceB.instanceId);
    expect(groupsByEni(after)).toEqual(groupsByEni(before));
    expect(groupsByEni(after)).toEqual(seededGroupsOf(instanceB));
    expect(tagsOf(after)).toEqual(tagsOf(before));
    expect(await associatedProfiles(instanceB.instanceId)).toEqual(profilesBefore);
  });
});
