import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeAccountState, type AccountState } from './support/account-state';
import { assumedRoleFinding, instanceFinding, userKeyFinding } from './support/findings';
import { readInbox } from './support/inbox';
import { ENFORCE_CONFIG, runPlaybook } from './support/run-playbook';

/*
 * A dry-run is the real plan with every mutating step blocked: describe
 * everything a playbook could touch before and after, and the two must be
 * deep-equal. The last test checks the description itself: an enforced run
 * of the same findings must show up in it, or the comparison proves nothing.
 */

let account: EmulatedAccount;
let findings: { contain: Finding; revokeUser: Finding; revokeRole: Finding };

beforeAll(async () => {
  account = await freshSeededAccount();
  const { seed } = account;
  findings = {
    contain: instanceFinding(seed, seed.instanceA),
    revokeUser: userKeyFinding(seed, seed.identities.user.accessKeyIds[0]),
    revokeRole: assumedRoleFinding(seed, seed.identities.workloadRole),
  };
});

function expectPlanOnly(report: Report, playbook: string): void {
  expect(report.playbook).toBe(playbook);
  expect(report.dryRun).toBe(true);
  expect(report.blockedBy).toContain('dry-run');
  const mutating = report.steps.filter((s) => s.mutating);
  // A plan with nothing to block would make "nothing changed" trivially true.
  expect(mutating.length).toBeGreaterThan(0);
  expect(mutating.map((s) => [s.id, s.status])).toEqual(mutating.map((s) => [s.id, 'skipped']));
}

describe('dry-run changes nothing in the account', () => {
  let before: AccountState;

  beforeAll(async () => {
    before = await describeAccountState(account.clients);
  });

  it('contain-instance, with the stack in dry-run mode', async () => {
    const report = await runPlaybook(account, findings.contain, { dryRun: true, config: { ...ENFORCE_CONFIG, mode: 'dry-run' } });
    expectPlanOnly(report, 'contain-instance');
    expect(await describeAccountState(account.clients)).toEqual(before);
  });

  it('revoke-credentials for a user key, as a requested dry-run of an enforcing stack', async () => {
    const report = await runPlaybook(account, findings.revokeUser, { dryRun: true });
    expectPlanOnly(report, 'revoke-credentials');
    expect(await describeAccountState(account.clients)).toEqual(before);
  });

  it('revoke-credentials for a role session, as a requested dry-run', async () => {
    const report = await runPlaybook(account, findings.revokeRole, { dryRun: true });
    expectPlanOnly(report, 'revoke-credentials');
    expect(await describeAccountState(account.clients)).toEqual(before);
  });

  it('still tells the security team, saying that nothing was changed', async () => {
    const inbox = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
    for (const finding of Object.values(findings)) {
      const mine = inbox.filter((n) => n.message.includes(finding.id));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.subject).toContain('PLAN ONLY');
      expect(mine[0]!.message).toContain('NO CHANGES WERE MADE');
    }
  });

  it('would have seen the changes: the same findings enforced change the described state', async () => {
    for (const finding of Object.values(findings)) await runPlaybook(account, finding);
    const after = await describeAccountState(account.clients);
    expect(after.ec2.snapshots).not.toEqual(before.ec2.snapshots);
    expect(after.ec2.securityGroups).not.toEqual(before.ec2.securityGroups);
    expect(after.ec2.instances).not.toEqual(before.ec2.instances);
    expect(after.ec2.attributes).not.toEqual(before.ec2.attributes);
    expect(after.fleet.autoScalingInstances).not.toEqual(before.fleet.autoScalingInstances);
    expect(after.fleet.targetHealth).not.toEqual(before.fleet.targetHealth);
    expect(after.iam.perUser).not.toEqual(before.iam.perUser);
    expect(after.iam.perRole).not.toEqual(before.iam.perRole);
  });
});
