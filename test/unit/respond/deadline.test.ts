import { respond } from '../../../lambda/respond/respond';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * A response that begins with its time already gone (a later finding of an
 * invocation that ran long): no call is sent before the plan, so no read
 * runs past the deadline and Lambda never kills the invocation in the middle
 * of a change with no report; every change is blocked by the phases that
 * ran out of time, the notification still goes out, and the retry policy
 * asks Lambda for another attempt. A step that starts too late is the
 * executor's to refuse (test/unit/plan/end-of-response.test.ts).
 */

const h = useContainHarness();
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

describe('a response whose time ran out before it began', () => {
  it('sends no call, makes no change, names the phases that ran out, still notifies, and asks for a retry', async () => {
    guardDuty.holds(containFinding());
    const report = await respond(containFinding(), {
      config: enforceConfig(),
      clients: h.clients,
      dryRun: false,
      responder: RESPONDER,
      now: () => NOW,
      deadlineMs: Date.now() - 1,
    });
    expect(h.calls()).toEqual([]);
    expect(guardDuty.mock.calls()).toEqual([]);
    expect(report.blockedBy).toEqual(expect.arrayContaining(['confirmation-out-of-time', 'discovery-out-of-time', 'instance-unreadable']));
    // Not sent, so nothing of their outcome is unknown: OutOfTime, as a step not started.
    expect(report.reads.map((r) => [r.action, r.status, r.error?.code])).toEqual(
      expect.arrayContaining([
        ['guardduty:ListDetectors', 'failed', 'OutOfTime'],
        ['ec2:DescribeInstances', 'failed', 'OutOfTime'],
      ]),
    );
    // It ran past the deadline: skipped for its own reason (no topic in this test), not for lack of time.
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no SNS topic') });
    expect(report.steps.filter((s) => s.mutating && s.status !== 'skipped')).toEqual([]);
    expect(shouldRetryInvocation(report)).toEqual({ retry: true, reason: expect.stringContaining('ran out of time before any change') });
  });
});
