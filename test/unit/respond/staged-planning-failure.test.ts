import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { containInstancePlaybook } from '../../../lambda/playbooks/contain-instance/playbook';
import { respondWith } from '../../../lambda/respond/respond-with';
import { StagedPlanningError } from '../../../lambda/respond/staged';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { awsError, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * Staged discovery (lambda/respond/staged.ts): isolation starts before the
 * rest of the plan is made. When planning then throws, the isolation already
 * changing the account is waited for and reported in the error the
 * invocation fails with, never left running unobserved.
 */

const h = useContainHarness();
const guardDuty = useGuardDuty();

const PLANNING_BUG = 'planning bug (test)';
const failingPlanning = {
  'contain-instance': {
    ...containInstancePlaybook,
    plan: () => {
      throw new Error(PLANNING_BUG);
    },
  },
};

function respondWithFailingPlanning() {
  return respondWith(failingPlanning, containFinding(), {
    config: enforceConfig(),
    clients: h.clients,
    confirmFinding: startConfirmation,
    dryRun: false, responder: RESPONDER, now: () => NOW });
}

async function planningFailure(): Promise<StagedPlanningError> {
  const error: unknown = await respondWithFailingPlanning().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StagedPlanningError)) throw error;
  return error as StagedPlanningError;
}

describe('planning that throws after isolation started', () => {
  it('waits for the isolation and names what each of its steps did', async () => {
    guardDuty.holds(containFinding());
    const error = await planningFailure();
    // Isolation ran to its end before the error: each ENI went through the untrack group onto the isolation group.
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(error.firstOutcomes.map((o) => [o.id, o.status])).toEqual([
      ['record-original-sgs', 'done'],
      [`untrack:${PRIMARY_ENI}`, 'done'],
      [`untrack:${SECONDARY_ENI}`, 'done'],
      [`isolate:${PRIMARY_ENI}`, 'done'],
      [`isolate:${SECONDARY_ENI}`, 'done'],
      [`restore:${PRIMARY_ENI}`, 'skipped'],
      [`restore:${SECONDARY_ENI}`, 'skipped'],
    ]);
    expect(error.exposed).toEqual([]);
    expect(error.message).toContain(`planning failed after the first steps had started (${PLANNING_BUG}): record-original-sgs done, untrack:${PRIMARY_ENI} done`);
    expect(error.message).not.toContain('allow-all');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports the ENIs the isolation left on the allow-all untrack group', async () => {
    guardDuty.holds(containFinding());
    // Every move but the one onto the untrack group fails (isolation, then the restore): the ENIs stay on the untrack group.
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      (input.Groups as string[] | undefined)?.includes(UNTRACK_SG_A) ? undefined : awsError('UnauthorizedOperation', 'denied', 403),
    );
    const error = await planningFailure();
    expect(error.exposed).toEqual([PRIMARY_ENI, SECONDARY_ENI]);
    expect(error.message).toContain(`isolate:${PRIMARY_ENI} failed (UnauthorizedOperation)`);
    expect(error.message).toContain(`; ${PRIMARY_ENI}, ${SECONDARY_ENI} may be left on the allow-all security group (more exposed than before)`);
  });
});
