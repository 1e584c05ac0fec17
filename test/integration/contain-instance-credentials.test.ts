import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { instanceFinding } from './support/findings';
import { roleRevokePolicy, tokenIssueCutoff, userRevokePolicy } from './support/iam-state';
import { failedSteps, runPlaybook } from './support/run-playbook';

/*
 * contain-instance on a finding that implies the instance's credentials were
 * stolen (MetadataDNSRebind): besides isolating, it cuts the instance role's
 * sessions and takes the instance profile off the instance (default
 * revokeInstanceCredentials: on-credential-theft).
 *
 * Instance B shares A's instance profile, so the plan must warn that
 * revoking the role's sessions cuts B too, and B keeps its profile.
 *
 * Not visible in the emulator: that the Deny really stops older sessions
 * (moto never evaluates IAM policies).
 */

let account: EmulatedAccount;
let report: Report;
let ranBetween: { from: number; to: number };

beforeAll(async () => {
  account = await freshSeededAccount();
  const from = Date.now();
  report = await runPlaybook(account, instanceFinding(account.seed, account.seed.instanceA, { type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' }));
  ranBetween = { from, to: Date.now() };
});

describe('contain-instance when the instance credentials were stolen', () => {
  it('completes without a failed step', () => {
    expect(report.playbook).toBe('contain-instance');
    expect(report.blockedBy).toEqual([]);
    expect(failedSteps(report)).toEqual([]);
  });

  it('warns that instance B, which uses the same instance profile, loses its current sessions too', () => {
    const { instanceB, identities } = account.seed;
    expect(report.warnings).toContain(
      `Role ${identities.instanceRole.roleName} is shared: ${instanceB.instanceId} use the same instance profile and lose their current sessions too ` +
        '(they get new credentials when theirs refresh).',
    );
  });

  it("denies the instance role's sessions issued before the response", async () => {
    const policy = await roleRevokePolicy(account.clients.iam, account.seed.identities.instanceRole.roleName);
    expect(policy?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
    const cutoff = tokenIssueCutoff(policy!);
    expect(cutoff!.getTime()).toBeGreaterThanOrEqual(ranBetween.from - 5_000);
    expect(cutoff!.getTime()).toBeLessThanOrEqual(ranBetween.to + 5_000);
  });

  it('takes the instance profile off the instance, and off no other', async () => {
    const { instanceA, instanceB } = account.seed;
    const { IamInstanceProfileAssociations = [] } = await account.clients.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({}));
    const associated = IamInstanceProfileAssociations.filter((a) => a.State === 'associated').map((a) => [a.InstanceId, a.IamInstanceProfile?.Arn]);
    expect(associated.filter(([instanceId]) => instanceId === instanceA.instanceId)).toEqual([]);
    expect(associated).toContainEqual([instanceB.instanceId, instanceB.instanceProfileArn]);
  });

  it('leaves every other identity alone', async () => {
    const { identities } = account.seed;
    expect(await roleRevokePolicy(account.clients.iam, identities.workloadRole.roleName)).toBeNull();
    expect(await userRevokePolicy(account.clients.iam, identities.user.userName)).toBeNull();
  });
});
