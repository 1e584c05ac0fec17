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
 * Not visible in the emulator: whether other instances share the profile
 * (moto lacks the DescribeInstances filter iam-instance-profile.arn, see
 * EMULATOR_READ_GAPS), and that the Deny really stops older sessions (moto
 * never evaluates IAM policies).
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

  it("denies the instance role's sessions issued before the response", async () => {
    const policy = await roleRevokePolicy(account.clients.iam, account.seed.identities.instanceRole.roleName);
    expect(policy?.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
    const cutoff = tokenIssueCutoff(policy!);
    expect(cutoff!.getTime()).toBeGreaterThanOrEqual(ranBetween.from - 5_000);
    expect(cutoff!.getTime()).toBeLessThanOrEqual(ranBetween.to + 5_000);
  });

  it('takes the instance profile off the instance', async () => {
    const { IamInstanceProfileAssociations = [] } = await account.clients.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({}));
    const ofInstance = IamInstanceProfileAssociations.filter((a) => a.InstanceId === account.seed.instanceA.instanceId && a.State === 'associated');
    expect(ofInstance).toEqual([]);
  });

  it('leaves every other identity alone', async () => {
    const { identities } = account.seed;
    expect(await roleRevokePolicy(account.clients.iam, identities.workloadRole.roleName)).toBeNull();
    expect(await userRevokePolicy(account.clients.iam, identities.user.userName)).toBeNull();
  });
});
