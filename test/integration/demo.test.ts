import { demoCommand } from '../../cli/commands/demo';
import type { DemoResult } from '../../demo/run';

/*
 * `make demo` is what a newcomer runs first: it must keep working. The demo
 * starts its own emulator (not the one of this test run), deploys the
 * stack's trail there (ledger, locked evidence bucket, a stack whose
 * outputs name them), replays its findings dry-run then with
 * `ir respond --execute`, shows one approval (the isolation of a cardholder
 * data instance waits, the operator approves, the response resumes through
 * the playbook Lambda's code and isolates), and shows the trail: a re-delivery the ledger
 * answers with nothing, the brake latching and `ir brake release`, the locked evidence, and
 * `ir release` from the ledger; --json gives the same as data.
 */

let stdout = '';
let progress = '';
let result: DemoResult;
let code: number;

beforeAll(async () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((progress += String(chunk)), true));
  try {
    code = await demoCommand({ json: true });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  result = JSON.parse(stdout) as DemoResult;
}, 120_000);

/** The playbook each demo finding is routed to, in file order (demo/findings/). */
const DEMO_ROUTES = ['contain-instance', 'notify', 'revoke-credentials', 'revoke-credentials', 'revoke-credentials', 'block-public-access', 'contain-function', 'contain-database'];

/** A finding that joined an incident already answered: it changes nothing and keeps no evidence of its own (its incident holds it). */
const joined = (run: DemoResult['runs'][number]) => run.report.blockedBy.includes('joined-incident');

describe('ir demo --json', () => {
  it('exits 0 with no problem seen, stdout holding only the JSON', () => {
    expect(code).toBe(0);
    expect(result.problems).toBe(0);
  });

  it('answers every finding twice, dry-run then enforce, each routed to its playbook', () => {
    expect(result.runs.map((r) => [r.mode, r.report.playbook])).toEqual([
      ...DEMO_ROUTES.map((p) => ['dry-run', p]),
      ...DEMO_ROUTES.map((p) => ['enforce', p]),
    ]);
  });

  it('answers an S3, a Lambda and an RDS finding: Block Public Access on, the function throttled and its role revoked, the database snapshotted (its restriction needs approval)', () => {
    const enforced = (prefix: string) => result.runs.find((r) => r.mode === 'enforce' && r.file.startsWith(prefix))!;
    expect(enforced('6-').changes).toEqual([
      { what: 'bucket customer-uploads-demo block public access', before: 'none', after: 'BlockPublicAcls=true, BlockPublicPolicy=true, IgnorePublicAcls=true, RestrictPublicBuckets=true' },
    ]);
    expect(enforced('7-').changes).toEqual([
      { what: 'function invoice-renderer reserved concurrency', before: 'unreserved', after: '0' },
      { what: 'role invoice-renderer-execution inline policies', before: 'none', after: 'AWSRevokeOlderSessions' },
    ]);
    expect(enforced('8-').changes).toEqual([{ what: 'database orders-db snapshots', before: '0', after: '1' }]);
    expect(enforced('8-').notification!.subject).toMatch(/^\[GuardDuty IR NEEDS APPROVAL - NOT CONTAINED\] contain-database/);
    for (const prefix of ['6-', '7-']) expect(enforced(prefix).notification!.subject).toMatch(/^\[GuardDuty IR DONE\] /);
  });

  it('changes nothing in dry-run, and isolates in enforce, every run notified', () => {
    for (const run of result.runs.filter((r) => r.mode === 'dry-run')) expect(run.changes).toEqual([]);
    const crypto = result.runs.find((r) => r.mode === 'enforce' && r.file.startsWith('1-'))!;
    expect(crypto.changes.map((c) => c.what)).toEqual(expect.arrayContaining([expect.stringMatching(/security groups/)]));
    expect(crypto.report.summary.failed).toBe(0);
    for (const run of result.runs) expect(run.notification?.subject).toMatch(/^\[GuardDuty IR /);
  });

  it('names the emulator gaps it met: read-only evidence calls and the Security Hub note (on by default) moto does not implement', () => {
    // contain-function's read of provisioned concurrency (which a throttle to 0 cannot go below) is not in moto either.
    expect(result.unsupportedCalls).toEqual(['cloudtrail:LookupEvents', 'iam:GenerateServiceLastAccessedDetails', 'lambda:ListProvisionedConcurrencyConfigs', 'securityhub:BatchUpdateFindings']);
  });

  it('shows those gaps as not available in the local emulator, never as failures', () => {
    expect(progress).toContain('not available in the local emulator (CloudTrail event history: moto does not implement cloudtrail:LookupEvents; on AWS it answers)');
    expect(progress).toContain('not available in the local emulator (IAM Access Advisor: moto does not implement iam:GenerateServiceLastAccessedDetails; on AWS it answers)');
    expect(progress).toContain('not available in the local emulator (GuardDuty findings: moto does not implement guardduty:GetFindings; on AWS it answers)');
    expect(progress).toContain('not available in the local emulator (Security Hub: moto does not implement securityhub:BatchUpdateFindings; on AWS it answers)');
    expect(progress).not.toMatch(/^ +\d+\. failed /m);
  });

  it('records them so at the source: the reports count no failure, the emails in the inbox say "not available in the local emulator", never FAILED', () => {
    const revokes = result.runs.filter((r) => r.mode === 'enforce' && r.report.playbook === 'revoke-credentials' && !joined(r));
    expect(revokes).toHaveLength(2);
    for (const run of revokes) {
      expect(run.report.summary.failed).toBe(0);
      const gaps = run.report.steps.filter((s) => ['cloudtrail:LookupEvents', 'iam:GenerateServiceLastAccessedDetails'].includes(s.action));
      expect(gaps.map((s) => [s.status, s.reason])).toEqual([
        ['skipped', 'not available in the local emulator (IAM Access Advisor: moto does not implement iam:GenerateServiceLastAccessedDetails; on AWS it answers)'],
        ['skipped', 'not available in the local emulator (CloudTrail event history: moto does not implement cloudtrail:LookupEvents; on AWS it answers)'],
      ]);
      const email = run.notification!.message;
      expect(email).toMatch(/SKIPPED List the AWS services .* -- not available in the local emulator \(IAM Access Advisor: moto does not implement iam:GenerateServiceLastAccessedDetails; on AWS it answers\)/);
      expect(email).toMatch(/SKIPPED Look up the CloudTrail events .* -- not available in the local emulator \(CloudTrail event history: moto does not implement cloudtrail:LookupEvents; on AWS it answers\)/);
      expect(email).not.toContain('FAILED');
      expect(run.notification!.subject).toMatch(/^\[GuardDuty IR DONE\] revoke-credentials/);
    }
    for (const run of result.runs) expect(run.report.summary.failed).toBe(0);
  });
});

describe('the enforce runs leave the Lambda’s trail, through the stack’s outputs', () => {
  const enforced = () => result.runs.filter((r) => r.mode === 'enforce');

  it('records every enforced response in the stack’s ledger', () => {
    for (const run of enforced()) expect(run.report.ledger).toMatchObject({ table: 'guardduty-ir-incident-ledger', recorded: true });
  });

  it('keeps the evidence of every response in the stack’s bucket', () => {
    expect(enforced().filter(joined).map((r) => r.file)).toEqual(['5-s3-malicious-caller.json']);
    for (const run of enforced().filter((r) => !joined(r))) {
      const kept = run.report.steps.filter((s) => s.action === 's3:PutObject');
      expect(kept.length).toBeGreaterThan(0);
      for (const step of kept) expect([step.status, step.target]).toEqual(['done', expect.stringMatching(/^s3:\/\/guardduty-ir-evidence-123456789012-us-east-1\/incidents\//)]);
    }
  });

  it('revokes: the leaked user key is deactivated and the instance role’s older sessions are cut', () => {
    const leaked = enforced().find((r) => r.file.startsWith('4-'))!;
    expect(leaked.changes.map((c) => [c.what, c.after])).toEqual(expect.arrayContaining([[expect.stringMatching(/^user deploy-bot key AKIA/), 'Inactive']]));
    const exfiltrated = enforced().find((r) => r.file.startsWith('3-'))!;
    expect(exfiltrated.changes).toContainEqual(expect.objectContaining({ what: expect.stringMatching(/inline policies/), after: expect.stringContaining('AWSRevokeOlderSessions') }));
  });
});

describe('one approval', () => {
  it('the policy holds the isolation: the evidence steps run, nothing moves the instance’s network interfaces, the team is told AWAITING APPROVAL with the plan hash', () => {
    const { approval } = result;
    expect(approval.first.approval).toMatchObject({ status: 'awaiting', planHash: expect.stringMatching(/^[0-9a-f]{64}$/), onTimeout: 'stand-down' });
    expect(approval.first.steps.find((s) => s.id === 'snapshot-volumes')?.status).toBe('done');
    expect(approval.first.steps.filter((s) => s.id.startsWith('isolate:')).map((s) => [s.status, s.reason])).toEqual([['skipped', expect.stringMatching(/^awaits approval \(rule cardholder-data\)/)]]);
    expect(approval.firstChanges.map((c) => c.what)).toEqual(expect.arrayContaining(['evidence snapshots', `${approval.instanceId} termination protection`]));
    expect(approval.firstChanges.filter((c) => c.what.endsWith('security groups'))).toEqual([]);
    expect(approval.firstNotification).toMatch(/^\[GuardDuty IR AWAITING APPROVAL\] contain-instance/);
    expect(approval.schedules).toEqual([expect.stringMatching(/^ir-approval-deadline-[0-9a-f]{24} at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/)]);
    expect(approval.pending).toMatchObject({ incidentId: approval.first.incidentId, status: 'pending', planHash: approval.first.approval!.planHash });
    expect(progress).toContain(`AWAITING APPROVAL on plan ${approval.first.approval!.planHash}`);
  });

  it('the operator’s decision is recorded as the decision function records it: by the ARN STS names, channel cli, on the plan shown; kept in the evidence; ir approve said to be not available in the local emulator', () => {
    const { approval } = result;
    expect(approval.operatorArn).toMatch(/^arn:aws:(iam|sts)::123456789012:/);
    expect(approval.decision).toMatchObject({
      status: 'recorded',
      decision: { decision: 'approve', by: approval.operatorArn, channel: 'cli', planHash: approval.first.approval!.planHash },
      evidence: { status: 'done', detail: expect.stringMatching(new RegExp(`/${approval.first.incidentId}/[0-9a-f]+/decisions/[^/]+-approve\\.json`)) },
      resume: { status: 'done' },
    });
    expect(progress).toContain('ir approve: not available in the local emulator');
  });

  it('the approval-decided event resumes the response through the playbook Lambda’s code: the instance read again and isolated, the team told APPROVED', () => {
    const { approval } = result;
    expect(approval.resumed).toMatchObject({ status: 'resumed', report: { approval: { status: 'approved', planHash: approval.first.approval!.planHash, decision: { by: approval.operatorArn, channel: 'cli' } }, summary: { failed: 0 } } });
    expect(approval.resumedChanges).toEqual(
      expect.arrayContaining([{ what: expect.stringMatching(new RegExp(`^${approval.instanceId} eni-[0-9a-f]+ security groups$`)), before: 'web-tier', after: expect.stringMatching(/isolation/) }]),
    );
    expect(approval.resumedNotification).toMatch(/^\[GuardDuty IR DONE\] contain-instance/);
    expect(approval.problems).toEqual([]);
  });
});

describe('the trail', () => {
  it('the ledger turns a re-delivery of the first finding into a no-op (exit 0)', () => {
    const { redelivery } = result.trail;
    expect(redelivery.report.blockedBy).toEqual(['already-answered']);
    expect(redelivery.changes).toBe(0);
    expect(redelivery.exitCode).toBe(0);
  });

  it('one acting response too many in the hour (the approval’s counts) latches the brake, announced once (exit 4: blocked)', () => {
    const { brake } = result.trail;
    expect(brake.report.blockedBy).toContain('blast-radius-brake');
    expect(brake.report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(brake.state.latched).toMatchObject({ findingId: brake.report.findingId, playbook: 'contain-instance' });
    // The six acting responses of the replay and the approval's.
    expect(brake.state.held).toHaveLength(7);
    expect(brake.notifications.filter((n) => /BRAKE LATCHED/.test(n))).toHaveLength(1);
    expect(brake.exitCode).toBe(4);
  });

  it('ir brake release --reason "demo" clears the latch, recorded in the ledger and announced; ir brake status after: released', () => {
    const { brake, brakeRelease } = result.trail;
    expect(brakeRelease.result).toMatchObject({
      action: 'released',
      record: { reason: 'demo', latch: { engagementId: brake.state.latched!.engagementId }, slotsHeld: 7 },
      notification: { status: 'sent' },
    });
    expect(brakeRelease.recorded).toBe(true);
    // Its record in the locked bucket, beside the incidents (read back by the demo: HeadObject, Object Lock GOVERNANCE).
    expect(brakeRelease.evidenceKey).toMatch(new RegExp(`^incidents/brake/us-east-1/${brake.state.latched!.engagementId}/\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.\\d{3}Z-release\\.json$`));
    expect(brakeRelease.notifications).toEqual([expect.stringMatching(/^\[GuardDuty IR BRAKE RELEASED\] containments resume in us-east-1/)]);
    expect(brakeRelease.stateAfter.latched).toBeUndefined();
    expect(brakeRelease.stateAfter.held).toHaveLength(7);
  });

  it('the evidence is locked (Object Lock, governance) and a version cannot be deleted', () => {
    const { evidence } = result.trail;
    expect(evidence.objects).toBeGreaterThan(10);
    expect(evidence.lockMode).toBe('GOVERNANCE');
    expect(Date.parse(evidence.retainUntil!)).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    expect(evidence.deleteRefused).toBe('AccessDenied');
  });

  it('ir release puts the first instance back from the ledger, recorded and announced', () => {
    const { release } = result.trail;
    expect(release.report).toMatchObject({ refused: null, recordSource: 'ledger', summary: { failed: 0 } });
    expect(release.changes).toEqual(expect.arrayContaining([expect.stringMatching(/security groups$/), 'target group members']));
    expect(release.notifications).toEqual([expect.stringMatching(/Released: instance i-/)]);
    // Its record in the locked bucket, in the folder of the incident it ends.
    const first = result.runs.find((r) => r.mode === 'enforce')!.report;
    expect(release.evidenceKey).toMatch(new RegExp(`^incidents/${first.accountId}/us-east-1/${first.incidentId}/releases/\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.\\d{3}Z-release\\.json$`));
    expect(release.report.evidence).toMatchObject({ status: 'done', parameters: { SSEKMSKeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:/) } });
  });

  it('sees no problem in the trail', () => {
    expect(result.trail.problems).toEqual([]);
  });
});
