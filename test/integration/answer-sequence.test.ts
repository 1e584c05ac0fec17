import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { loadFixture } from '../support/fixtures';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { newFindingId } from './support/findings';
import { accessKeyStatuses, roleRevokePolicy, userRevokePolicy } from './support/iam-state';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * answer-sequence against the emulator: an attack sequence over the seeded
 * account's two instances, its user's access key and its workload role,
 * and an instance of another account slipped into it. Assertions read EC2
 * and IAM back from the emulator. The calls moto lacks (IAM Access Advisor,
 * CloudTrail LookupEvents, Security Hub) are recorded skipped, "not
 * available in the local emulator", as for the playbooks alone
 * (test/integration/revoke-credentials.test.ts says what each gap hides).
 */

let account: EmulatedAccount;
let report: Report;
const FORGED_INSTANCE = 'arn:aws:ec2:REGION:999999999999:instance/i-0f0f0f0f0f0f0f0f0';

function sequenceFinding(): Finding {
  const { seed } = account;
  const raw = structuredClone(loadFixture('answer-sequence/compromised-instance-group.raw.json')) as Record<string, unknown>;
  const { instanceA, instanceB, identities } = seed;
  const [key] = identities.user.accessKeyIds;
  const forged = FORGED_INSTANCE.replace('REGION', seed.region);
  const id = newFindingId();
  const own = { accountId: seed.accountId, region: seed.region, cloudPartition: 'aws' };
  const signal = (uid: string, name: string, resourceUids: string[], firstSeenAt: string) => ({ uid, type: 'FINDING', name, count: 1, firstSeenAt, lastSeenAt: firstSeenAt, resourceUids });
  const sequence = {
    uid: `arn:aws:guardduty:${seed.region}:${seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/sequence/5d4c3b2a`,
    description: 'A sequence of actions indicating a possible compromise of a group of EC2 instances was observed.',
    actors: [
      { id: 'actor-1', user: { name: identities.user.userName, uid: identities.user.userId, type: 'IAMUser', credentialUid: key, account: { uid: seed.accountId } } },
      // The role's session, as GuardDuty names an assumed role (its unique id before the colon): what proves the role acted.
      { id: 'actor-2', user: { name: identities.workloadRole.roleName, uid: `${identities.workloadRole.roleId}:etl-run-42`, type: 'AssumedRole', account: { uid: seed.accountId } } },
    ],
    resources: [
      { uid: instanceA.instanceId, name: instanceA.name, resourceType: 'EC2_INSTANCE', ...own },
      { uid: instanceB.instanceId, name: instanceB.name, resourceType: 'EC2_INSTANCE', ...own },
      { uid: key, name: identities.user.userName, resourceType: 'ACCESS_KEY', ...own, region: 'global' },
      { uid: identities.workloadRole.arn, name: identities.workloadRole.roleName, type: 'AWS::IAM::Role', ...own, region: 'global' },
      { uid: forged, name: 'not-ours', resourceType: 'EC2_INSTANCE', ...own, accountId: '999999999999' },
    ],
    endpoints: [{ id: 'endpoint-1', ip: '198.51.100.23' }],
    signals: [
      signal('sig-1', 'Backdoor:EC2/C&CActivity.B!DNS', [instanceA.instanceId], '2026-11-30T02:10:00.000Z'),
      signal('sig-2', 'Backdoor:EC2/C&CActivity.B!DNS', [instanceB.instanceId, forged], '2026-11-30T02:31:00.000Z'),
      signal('sig-3', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', [key], '2026-11-30T03:00:00.000Z'),
      signal('sig-4', 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', [identities.workloadRole.arn], '2026-11-30T03:20:00.000Z'),
    ],
  };
  const service = raw.service as Record<string, unknown>;
  return parseFindings({
    ...raw,
    id,
    accountId: seed.accountId,
    region: seed.region,
    arn: `arn:aws:guardduty:${seed.region}:${seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}`,
    resource: { resourceType: 'Instance', instanceDetails: { instanceId: instanceA.instanceId } },
    service: { ...service, detection: { sequence } },
  })[0]!;
}

beforeAll(async () => {
  account = await freshSeededAccount();
  report = await runPlaybook(account, sequenceFinding());
}, 120_000);

describe('an EC2 instance-group sequence with a stolen key and a role, and a forged instance of another account', () => {
  it('is answered in one plan: both instances contained, the key and the role revoked, the forged instance refused', () => {
    expect(report.playbook).toBe('answer-sequence');
    expect(report.route.ruleId).toBe('attack-sequence-instances');
    expect(failedSteps(report)).toEqual([]);
    const resources = report.resource.resources as { ref: string; answer: string; playbook: string | null; reason: string }[];
    expect(resources.map((r) => [r.ref, r.answer, r.playbook])).toEqual([
      ['r1', 'answered', 'contain-instance'],
      ['r2', 'answered', 'contain-instance'],
      ['r3', 'answered', 'revoke-credentials'],
      ['r4', 'answered', 'revoke-credentials'],
      ['r5', 'refused', null],
    ]);
    expect(resources[4]!.reason).toBe("it is in account 999999999999, not the finding's account " + account.seed.accountId);
  });

  it('moves every ENI of both instances to an isolation group of their VPC', async () => {
    // Each instance's contain-instance creates its own group when none exists, as two findings answered at once do: two here.
    const isolation = new Set((await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation')).map((g) => g.GroupId));
    expect(isolation.size).toBeGreaterThan(0);
    for (const instance of [account.seed.instanceA, account.seed.instanceB]) {
      const groups = Object.values(groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId)));
      expect(groups).toHaveLength(instance.networkInterfaces.length);
      for (const onEni of groups) expect(onEni.length === 1 && isolation.has(onEni[0])).toBe(true);
    }
  });

  it('deactivates exactly the stolen key and denies the user’s and the role’s older sessions', async () => {
    const { user, workloadRole } = account.seed.identities;
    const [stolen, other] = user.accessKeyIds;
    expect(await accessKeyStatuses(account.clients.iam, user.userName)).toEqual({ [stolen]: 'Inactive', [other]: 'Active' });
    expect((await userRevokePolicy(account.clients.iam, user.userName))?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
    expect((await roleRevokePolicy(account.clients.iam, workloadRole.roleName))?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
  });

  it('names every step after the resource it answers, and sends one notification', () => {
    const own = new Set(['notify', 'evidence', 'securityhub:note']);
    expect(report.steps.filter((s) => !own.has(s.id)).map((s) => s.id.split('/')[0])).toEqual(expect.arrayContaining(['r1', 'r2', 'r3', 'r4']));
    expect(report.steps.some((s) => s.id.startsWith('r5/'))).toBe(false);
    expect(report.steps.filter((s) => s.id === 'notify').map((s) => s.status)).toEqual(['done']);
  });
});
