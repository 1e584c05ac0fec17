import { startConfirmation } from '../../../lambda/confirm/confirmation';
import type { Report } from '../../../lambda/plan/document';
import { containInstancePlaybook } from '../../../lambda/playbooks/contain-instance/playbook';
import type { AnyPlaybook, PlaybookPlan } from '../../../lambda/playbooks/types';
import type { GuardVerdict } from '../../../lambda/guards/types';
import type { PreparedPlan } from '../../../lambda/respond/options';
import { resumeInPhases } from '../../../lambda/respond/phases';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { declaredActions, useContainHarness } from '../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The response a decision or a deadline resumes (lambda/respond/resume.ts) goes
 * through the phase functions of phases.ts, in their order: route, reach, read
 * (the instance read again), plan (with the caller's adjustment), guard (every
 * guard again, GuardDuty's confirmation included), then the caller's claim and
 * act, under the incident id the first act had.
 */

const h = useContainHarness(new Set([...declaredActions(), 'sns:Publish']));
const guardDuty = useGuardDuty();
const isMove = (id: string) => id.startsWith('isolate:') || id.startsWith('untrack:');

it('routes, reaches, reads, plans and guards again, then hands the adjusted plan to the claim and the assembled plan to the act, under the stored incident id', async () => {
  guardDuty.holds(containFinding());
  const order: string[] = [];
  let claimed: { planned: PlaybookPlan; guards: GuardVerdict[] } | undefined;
  let acted: PreparedPlan | undefined;
  const readsBefore = h.callsOf('DescribeInstances').length;
  const fake = { incidentId: 'stored-incident' } as Report;
  const report = await resumeInPhases(
    { 'contain-instance': containInstancePlaybook as AnyPlaybook },
    {
      finding: containFinding(),
      incidentId: 'stored-incident',
      plan: (made) => {
        order.push('plan');
        // The caller's adjustment is what the later phases see: here, the network moves left out.
        return { ...made, steps: made.steps.filter((s) => !isMove(s.id)) };
      },
      claim: (planned, guards) => {
        order.push('claim');
        claimed = { planned, guards };
        return Promise.resolve({ guards, settled: undefined, recordIn: undefined, shape: (steps) => ({ steps, approval: undefined }) });
      },
      act: (prepared) => {
        order.push('act');
        acted = prepared;
        return Promise.resolve(fake);
      },
    },
    { config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW },
  );
  expect(report).toBe(fake);
  expect(order).toEqual(['plan', 'claim', 'act']);
  // read: the instance was read again.
  expect(h.callsOf('DescribeInstances').length).toBeGreaterThan(readsBefore);
  // plan: the adjusted plan, without the moves.
  expect(claimed!.planned.steps.length).toBeGreaterThan(0);
  expect(claimed!.planned.steps.filter((s) => isMove(s.id))).toEqual([]);
  // guard: every guard again, GuardDuty's confirmation among them, none blocking.
  expect(claimed!.guards.map((g) => g.id)).toEqual(['sample-finding', 'archived-finding', 'unknown-account', 'account-not-allowed', 'below-severity-floor', 'exempt-tag', 'dry-run', 'finding-confirmation']);
  expect(claimed!.guards.filter((g) => g.blocks)).toEqual([]);
  // The act gets the assembled plan, under the first act's incident id, with no incident claim of its own.
  expect(acted!.document.incidentId).toBe('stored-incident');
  expect(acted!.document.steps.map((s) => s.id)).toEqual(expect.arrayContaining(claimed!.planned.steps.map((s) => s.id)));
  expect(acted!.document.steps.filter((s) => isMove(s.id))).toEqual([]);
  expect(acted!.gate).toBeUndefined();
  expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([]);
});
