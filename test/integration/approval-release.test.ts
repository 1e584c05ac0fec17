import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { SeededInstance } from '../../emulator/seed/instances';
import { PendingApprovals } from '../../lambda/approval/pending';
import { instanceRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import type { ReleaseReport } from '../../lambda/release/report';
import type { ResumeOutcome } from '../../lambda/respond/resume';
import { LEDGER_TABLE } from './support/handler-bench';
import { groupsOf, startApprovalBench, type ApprovalBench } from './support/approval-bench';

/*
 * `ir release` of an instance whose isolation waits for a person's decision,
 * against the emulator, through contain-instance's Lambda handler. The first
 * act writes the restore record (its evidence steps, termination protection
 * and volumes kept, are changes that need it) though the isolation has not
 * happened: while the decision is pending, and once it is denied, the
 * release says so and changes nothing; approved (and so isolated), the
 * release undoes the isolation as it always has.
 */

const BOB = 'arn:aws:iam::123456789012:user/bob';

let approvals: ApprovalBench;

beforeAll(async () => {
  approvals = await startApprovalBench();
});

afterAll(async () => {
  await approvals.close();
});

function release(instanceId: string): Promise<ReleaseReport> {
  const { dynamodb } = approvals.bench;
  return releaseInstance(instanceId, {
    clients: approvals.account.clients,
    region: approvals.account.seed.region,
    dryRun: false,
    ledger: new RestoreLedger(dynamodb, LEDGER_TABLE),
    approvals: new PendingApprovals(dynamodb, LEDGER_TABLE),
  });
}

async function terminationProtection(instanceId: string): Promise<boolean | undefined> {
  const answer = await approvals.account.clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
  return answer.DisableApiTermination?.Value;
}

/** The restore record of the instance, as the release reads it. */
async function record(instance: SeededInstance) {
  const { account, bench } = approvals;
  return bench.item(instanceRestoreKey(account.seed.accountId, account.seed.region, instance.instanceId));
}

async function waiting(name: string): Promise<{ instance: SeededInstance; report: Report; before: Record<string, string[]> }> {
  const instance = await approvals.launch(name);
  const before = await groupsOf(approvals.account, instance.instanceId);
  const report = await approvals.respond(instance);
  expect(report.approval).toMatchObject({ status: 'awaiting' });
  // The record is there: the first act wrote it before its evidence steps.
  expect(await record(instance)).toBeDefined();
  return { instance, report, before };
}

/** The release refused, every step none, the instance and its record as they were. */
async function expectNothingReleased(instance: SeededInstance, before: Record<string, string[]>, refusal: RegExp): Promise<void> {
  const protection = await terminationProtection(instance.instanceId);
  const report = await release(instance.instanceId);
  expect(report.refused).toMatch(refusal);
  expect(report.steps).toEqual([]);
  expect(report.ledger).toBeNull();
  expect(report.reads.map((r) => [r.title, r.status])).toContainEqual([expect.stringMatching(/^Read whether incident .* waited for a decision$/), 'done']);
  expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
  expect(await terminationProtection(instance.instanceId)).toBe(protection);
  const kept = await record(instance);
  expect(kept?.closedAt).toBeUndefined();
  expect(kept?.released).toBeUndefined();
}

const resumed = (outcome: Report | Report[] | ResumeOutcome): Report => {
  expect(outcome).toMatchObject({ status: 'resumed' });
  return (outcome as Extract<ResumeOutcome, { status: 'resumed' }>).report;
};

it('while the decision is pending: refused, nothing changed, the record left open', async () => {
  const { instance, report, before } = await waiting('release-pending');
  await expectNothingReleased(instance, before, new RegExp(`^incident ${report.incidentId} awaits a decision on its changes \\(plan ${report.approval!.planHash}.*nothing was changed`));
});

it('denied: refused as a containment never made, nothing changed', async () => {
  const { instance, report, before } = await waiting('release-denied');
  await approvals.decide({ incidentId: report.incidentId, planHash: report.approval!.planHash, decision: 'deny', by: BOB, channel: 'cli', at: new Date().toISOString(), reason: 'a test box' });
  expect(resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId })).approval).toMatchObject({ status: 'denied' });
  await expectNothingReleased(instance, before, new RegExp(`^incident ${report.incidentId}'s changes \\(plan ${report.approval!.planHash}\\) were never made: denied by ${BOB} \\(cli\\)`));
});

it('approved: the isolation is made, and the release undoes it as always', async () => {
  const { instance, report, before } = await waiting('release-approved');
  await approvals.decide({ incidentId: report.incidentId, planHash: report.approval!.planHash, decision: 'approve', by: BOB, channel: 'cli', at: new Date().toISOString() });
  resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
  expect(await groupsOf(approvals.account, instance.instanceId)).not.toEqual(before);
  const released = await release(instance.instanceId);
  expect(released.refused).toBeNull();
  expect(released.summary.failed).toBe(0);
  expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
  expect((await record(instance))?.closedAt).toBeDefined();
});
