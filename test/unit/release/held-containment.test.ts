import type { PendingApproval } from '../../../lambda/approval/pending';
import { heldContainmentRefusal } from '../../../lambda/release/held-containment';

/*
 * Whether `ir release` may undo the record of an incident that waited for a
 * decision (lambda/release/held-containment.ts): only once a containment was
 * made, in part or whole.
 */

const base: PendingApproval = {
  incidentId: 'inc-1',
  planHash: 'abc123',
  plan: '[]',
  findingId: 'f-1',
  playbook: 'contain-instance',
  accountId: '111111111111',
  region: 'us-east-1',
  requestedAt: '2026-12-06T10:00:00.000Z',
  deadline: '2026-12-06T11:00:00.000Z',
  onTimeout: 'stand-down',
  state: JSON.stringify({ firstAct: { changed: [] } }),
  status: 'pending',
};
const decision = { decision: 'deny' as const, by: 'arn:aws:iam::111111111111:user/bob', at: '2026-12-06T10:10:00.000Z', channel: 'cli', planHash: 'abc123' };
const taken = '2026-12-06T10:11:00.000Z';

describe('a release of the record of an incident that waited for a decision', () => {
  it('goes ahead when the incident never waited', () => {
    expect(heldContainmentRefusal(undefined)).toBeNull();
  });

  it('is refused while the decision is pending, naming the plan, the deadline and how to decide', () => {
    expect(heldContainmentRefusal(base)).toBe(
      'incident inc-1 awaits a decision on its changes (plan abc123, until 2026-12-06T11:00:00.000Z, then stand-down): they have not been made, ' +
        'so there is no containment to undo: nothing was changed. Decide first: ir deny inc-1 --reason ... stands down (or ir approve inc-1)',
    );
  });

  it('is refused once approved, until the response has acted on it', () => {
    expect(heldContainmentRefusal({ ...base, status: 'approved', decision: { ...decision, decision: 'approve' } })).toMatch(/^incident inc-1's changes were approved \(plan abc123\) and not made yet: .*nothing was changed$/);
  });

  it('goes ahead once the approved changes were made, or the deadline acted', () => {
    expect(heldContainmentRefusal({ ...base, status: 'approved', resumedAt: taken })).toBeNull();
    expect(heldContainmentRefusal({ ...base, status: 'expired', onTimeout: 'act', resumedAt: taken })).toBeNull();
  });

  it('is refused when denied, or stood down at the deadline, and the first act changed nothing the policy governs', () => {
    expect(heldContainmentRefusal({ ...base, status: 'denied', decision, resumedAt: taken })).toBe(
      "incident inc-1's changes (plan abc123) were never made: denied by arn:aws:iam::111111111111:user/bob (cli) at 2026-12-06T10:10:00.000Z. " +
        'There is no containment to undo: nothing was changed; what the first act kept as evidence (snapshots, termination protection, volumes kept) stays',
    );
    expect(heldContainmentRefusal({ ...base, status: 'expired', resumedAt: taken })).toMatch(/were never made: not decided by 2026-12-06T11:00:00.000Z, and the responder stood down\./);
  });

  it('goes ahead when denied, but the record was written since (a later response, another incident of the resource, contained it)', () => {
    const denied: PendingApproval = { ...base, status: 'denied', decision, resumedAt: taken };
    expect(heldContainmentRefusal(denied, '2026-12-06T12:00:00.000Z')).toBeNull();
    // The first act's own write comes before the decision was taken: still refused.
    expect(heldContainmentRefusal(denied, '2026-12-06T10:00:01.000Z')).toMatch(/were never made/);
  });

  it('goes ahead when denied but the first act made changes (they are undone as always), or when the state does not say', () => {
    const changed = JSON.stringify({ firstAct: { changed: ['isolate:eni-1'] } });
    expect(heldContainmentRefusal({ ...base, status: 'denied', decision, resumedAt: taken, state: changed })).toBeNull();
    expect(heldContainmentRefusal({ ...base, status: 'denied', decision, resumedAt: taken, state: JSON.stringify({ firstAct: {} }) })).toBeNull();
    expect(heldContainmentRefusal({ ...base, status: 'denied', decision, resumedAt: taken, state: 'not json' })).toBeNull();
  });
});
