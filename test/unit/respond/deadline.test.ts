import { respond } from '../../../lambda/respond/respond';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { isReadOnlyAction } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * AWS slow enough that the discovery reads ate the invocation's time: no
 * step starts past the deadline, so Lambda never kills the invocation in
 * the middle of a change with no report; the notification still goes out,
 * and the retry policy asks Lambda for another attempt.
 */

const h = useContainHarness();
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

describe('a response whose time ran out before its steps', () => {
  it('makes no change, reports every step as not started (retryable OutOfTime), still notifies, and asks for a retry', async () => {
    guardDuty.holds(containFinding());
    const report = await respond(containFinding(), {
      config: enforceConfig(),
      clients: h.clients,
      dryRun: false,
      responder: RESPONDER,
      now: () => NOW,
      deadlineMs: Date.now() - 1,
    });
    expect(h.calls().filter((c) => !isReadOnlyAction(c.action))).toEqual([]);
    // It ran past the deadline: skipped for its own reason (no topic in this test), not for lack of time.
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no SNS topic') });
    // They too run past the deadline, and find no ENI was moved: nothing to return.
    const restores = report.steps.filter((s) => s.id.startsWith('restore:'));
    expect(restores.map((s) => [s.status, s.reason])).toEqual(restores.map((s) => ['skipped', `${s.target} was not moved to the untrack group: it is still on the groups it had`]));
    // The restore record is not started (OutOfTime); every change waits for it, so each is skipped naming it.
    const records = report.steps.filter((s) => s.id.startsWith('record-restore:'));
    expect(records.map((s) => [s.id, s.status, s.error?.code, s.error?.retryable])).toEqual([['record-restore:network', 'failed', 'OutOfTime', true], ['record-restore:containment', 'skipped', undefined, undefined]]);
    const others = report.steps.filter((s) => s.id !== 'notify' && s.id !== 'evidence' && !s.id.startsWith('restore:') && !s.id.startsWith('record-restore:'));
    expect(others.length).toBeGreaterThan(5);
    for (const step of others) {
      expect([step.status, step.reason]).toEqual(['skipped', expect.stringMatching(/^needs record-restore:(network|containment) \((failed|skipped)\)$/)]);
    }
    expect(shouldRetryInvocation(report).retry).toBe(true);
  });
});
