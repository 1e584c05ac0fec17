import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanDocument, Report } from '../../lambda/plan/document';
import { runIr } from '../support/run-ir';
import { describeAccountState, type AccountState } from './support/account-state';
import { describeInstance, groupsByEni, recordedOriginalGroups, responderGroups, snapshotsOfVolumes, terminationProtection } from './support/ec2-state';
import { instanceFinding, instanceFindingEvent, userKeyFinding } from './support/findings';
import { accessKeyStatuses, userRevokePolicy } from './support/iam-state';
import { readInbox, type Notification } from './support/inbox';
import { failedSteps } from './support/run-playbook';
import { freshTwoAccounts, MEMBER_ACCOUNT, respondAsSecurityAccount, securityAccess, type TwoAccounts } from './support/two-accounts';
import { EMULATOR_CONFIG_OVERRIDES } from '../../emulator/runtime-config';

/*
 * The delegated-administrator setup in the emulator: the playbooks run in
 * the security account (123456789012) and answer findings of a member
 * account (210987654321) by assuming its member role. Both accounts hold the
 * same seeded resources, so acting in the wrong one would show: the member
 * account must change as a finding there requires, the security account
 * not at all. moto files the AssumeRole credentials under the role's
 * account, so every call made with them lands in the member account.
 */

const ROLE_ARN = `arn:aws:iam::${MEMBER_ACCOUNT}:role/IncidentResponseMemberRole`;

let accounts: TwoAccounts;
let securityBefore: AccountState;
let instanceReport: Report;
let keyReport: Report;
let securityInbox: Notification[];
let memberInbox: Notification[];

beforeAll(async () => {
  accounts = await freshTwoAccounts();
  securityBefore = await describeAccountState(accounts.security.clients);
  const access = securityAccess(accounts.endpoint);
  const run = { access, topicArn: accounts.security.seed.notifications.topicArn };
  instanceReport = await respondAsSecurityAccount(instanceFinding(accounts.member.seed, accounts.member.seed.instanceA), run);
  keyReport = await respondAsSecurityAccount(userKeyFinding(accounts.member.seed, accounts.member.seed.identities.user.accessKeyIds[0]), run);
  securityInbox = await readInbox(accounts.security.sqs, accounts.security.seed.notifications.inboxQueueUrl);
  memberInbox = await readInbox(accounts.member.sqs, accounts.member.seed.notifications.inboxQueueUrl);
});

describe('two accounts in the emulator', () => {
  it('are two accounts: the same seed, different resources', () => {
    expect(accounts.security.seed.accountId).toBe('123456789012');
    expect(accounts.member.seed.accountId).toBe(MEMBER_ACCOUNT);
    expect(accounts.member.seed.instanceA.instanceId).not.toBe(accounts.security.seed.instanceA.instanceId);
  });
});

describe('an instance of the member account, contained by the security account', () => {
  it('assumes the member role, named after the finding, then runs every step without a failure', () => {
    expect(instanceReport.accountId).toBe(MEMBER_ACCOUNT);
    expect(instanceReport.reads[0]).toMatchObject({
      id: `read:assume-role:${MEMBER_ACCOUNT}`,
      action: 'sts:AssumeRole',
      target: ROLE_ARN,
      status: 'done',
      detail: `session ir-${instanceReport.findingId}`,
    });
    expect(instanceReport.blockedBy).toEqual([]);
    expect(failedSteps(instanceReport)).toEqual([]);
    expect(instanceReport.steps.filter((s) => s.mutating && s.status === 'done').length).toBeGreaterThan(0);
  });

  it('leaves only the isolation group of the member VPC on every ENI of the member instance, with the originals recorded', async () => {
    const { ec2 } = accounts.member.clients;
    const [isolation] = await responderGroups(ec2, accounts.member.seed.network.vpcId, 'isolation');
    expect(isolation?.GroupId).toBeDefined();
    const instance = await describeInstance(ec2, accounts.member.seed.instanceA.instanceId);
    const eniIds = accounts.member.seed.instanceA.networkInterfaces.map((eni) => eni.networkInterfaceId);
    expect(groupsByEni(instance)).toEqual(Object.fromEntries(eniIds.map((id) => [id, [isolation!.GroupId]])));
    expect(recordedOriginalGroups(instance)).toEqual(
      Object.fromEntries(accounts.member.seed.instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()])),
    );
  });

  it('protects and snapshots the member instance in the member account', async () => {
    const { ec2 } = accounts.member.clients;
    expect(await terminationProtection(ec2, accounts.member.seed.instanceA.instanceId)).toBe(true);
    const snapshots = await snapshotsOfVolumes(ec2, accounts.member.seed.instanceA.volumeIds);
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual([...accounts.member.seed.instanceA.volumeIds].sort());
  });
});

describe('an access key of the member account, revoked by the security account', () => {
  it('assumes the member role and contains without a failed step (only investigation reads moto lacks may fail)', () => {
    expect(keyReport.playbook).toBe('revoke-credentials');
    expect(keyReport.reads[0]).toMatchObject({ id: `read:assume-role:${MEMBER_ACCOUNT}`, status: 'done' });
    expect(keyReport.blockedBy).toEqual([]);
    const containment = keyReport.steps.filter((s) => s.mutating);
    expect(containment.map((s) => [s.id, s.status])).toEqual([
      // No ledger here: the restore record step writes nothing and lets the changes go on.
      ['record-restore:credentials', 'done'],
      ['deactivate-access-key', 'done'],
      ['revoke-user-sessions', 'done'],
      // On by default, not tried on the emulator (no BatchUpdateFindings): not available in the local emulator.
      ['securityhub:note', 'skipped'],
    ]);
    expect(failedSteps(keyReport).filter((f) => !f.startsWith('investigate-'))).toEqual([]);
  });

  it('deactivates exactly the member key the finding names and denies the member user’s older sessions', async () => {
    const { iam } = accounts.member.clients;
    const { userName, accessKeyIds } = accounts.member.seed.identities.user;
    expect(await accessKeyStatuses(iam, userName)).toEqual({ [accessKeyIds[0]]: 'Inactive', [accessKeyIds[1]]: 'Active' });
    expect(await userRevokePolicy(iam, userName)).not.toBeNull();
  });
});

describe('the security account', () => {
  it('is left exactly as it was: instances, groups, volumes, snapshots, fleet, users, keys, roles and policies', async () => {
    expect(await describeAccountState(accounts.security.clients)).toEqual(securityBefore);
  });

  it('receives both notifications, naming the member account; the member account receives none', () => {
    expect(securityInbox.map((n) => n.subject)).toEqual([
      expect.stringMatching(/^\[GuardDuty IR DONE\] contain-instance: /),
      // The investigation reads moto lacks are "not available in the local emulator" (localEmulator), not failures: DONE.
      expect.stringMatching(/^\[GuardDuty IR DONE\] revoke-credentials: /),
    ]);
    for (const notification of securityInbox) expect(notification.message).toContain(`  Account: ${MEMBER_ACCOUNT}, region us-east-1`);
    expect(memberInbox).toEqual([]);
  });
});

describe('ir plan, online, as the security account', () => {
  it('plans a member-account finding by reading the member account through its member role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ir-xacct-'));
    const findingFile = join(dir, 'finding.json');
    const configFile = join(dir, 'config.json');
    writeFileSync(findingFile, JSON.stringify(instanceFindingEvent(accounts.member.seed, accounts.member.seed.instanceB)));
    // The emulator has no GuardDuty findings API: the confirmation is switched off explicitly (emulator/runtime-config.ts).
    writeFileSync(configFile, JSON.stringify(EMULATOR_CONFIG_OVERRIDES));
    // The emulator's default credentials (test/support/jest-env.ts) act in the security account.
    const run = await runIr('plan', findingFile, '--json', '--config', configFile, '--endpoint-url', accounts.endpoint);
    expect(run.stderr).toBe(`ir: configuration: --config ${configFile}\n`);
    expect(run.code).toBe(0);
    const [plan] = JSON.parse(run.stdout) as [PlanDocument];
    expect(plan.accountId).toBe(MEMBER_ACCOUNT);
    expect(plan.reads[0]).toMatchObject({ id: `read:assume-role:${MEMBER_ACCOUNT}`, target: ROLE_ARN, status: 'done' });
    // The member instance was found, which only the member account holds.
    expect(plan.reads.find((r) => r.action === 'ec2:DescribeInstances')).toMatchObject({ status: 'done' });
    expect(plan.resource).toMatchObject({ instanceId: accounts.member.seed.instanceB.instanceId });
  });
});
