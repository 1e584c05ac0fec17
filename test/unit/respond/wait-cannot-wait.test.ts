import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PendingApprovals } from '../../../lambda/approval/pending';
import type { StepApproval } from '../../../lambda/approval/types';
import type { Finding } from '../../../lambda/finding/schema';
import type { PlannedStep } from '../../../lambda/plan/types';
import { waitShaper, type ApprovalWaitOptions } from '../../../lambda/respond/wait';

/*
 * A run that cannot wait for the decision its changes need (lambda/respond/wait.ts): the deployed stack makes its
 * schedule group and decision channels only with an `approval` key, while contain-node and restrict-database-network
 * default to `approve` without one. What the operator reads must name the fix, never only what is missing.
 */

const NOW = new Date('2026-12-07T01:00:00.000Z');

function change(id: string, approval: StepApproval): PlannedStep {
  return {
    id,
    kind: 'test-change',
    title: id,
    action: 'rds:ModifyDBInstance',
    iamActions: ['rds:ModifyDBInstance'],
    target: 'db-1',
    parameters: {},
    mutating: true,
    why: 'why',
    stage: 1,
    requires: [],
    changeClass: approval.changeClass,
    approval,
    run: () => Promise.resolve({ status: 'done' }),
  } as unknown as PlannedStep;
}

const builtIn = (changeClass: StepApproval['changeClass']): StepApproval => ({ mode: 'approve', changeClass, ruleId: 'default', why: 'the built-in default' });

function shape(steps: PlannedStep[], approval: ApprovalWaitOptions | undefined) {
  return waitShaper({ approval, finding: { id: 'f-1' } as Finding, playbook: 'contain-database', incidentId: 'ir-1', now: () => NOW, startedAt: () => NOW.toISOString() })(steps);
}

const ledgerOnly: ApprovalWaitOptions = {
  pending: new PendingApprovals(new DynamoDBClient({ region: 'us-east-1' }), 'ledger'),
  schedules: undefined,
  waitMs: 3_600_000,
  escalateBeforeMs: 900_000,
  onTimeout: 'stand-down',
};

const FIX = 'To have a person decide: deploy the stack with an `approval` key in its configuration (it creates the decision channels and the schedule group), and respond from it';

describe('changes held by a built-in approve default, in a run that cannot wait', () => {
  it('a stack without an `approval` key (a ledger, no schedule group): names the key to add and the default to set to auto', async () => {
    const shaped = shape([change('restrict-database-network', builtIn('restrict-database-network'))], ledgerOnly);
    const why = `no schedule group to bound the wait. ${FIX}; to make these changes without a decision: set approval.defaults["restrict-database-network"] to "auto".`;
    expect(shaped.approval).toEqual({ status: 'cannot-wait', planHash: expect.stringMatching(/^[0-9a-f]{64}$/), steps: ['restrict-database-network'], detail: why });
    const outcome = await shaped.steps[0]!.run({} as never);
    expect(outcome).toEqual({ status: 'skipped', reason: `awaits approval (rule default), and this run cannot wait for one: ${why}` });
  });

  it('no ledger at all (a run outside the stack): the same fix, for each class held', () => {
    const shaped = shape([change('contain-node:i-1', builtIn('contain-node')), change('restrict-database-network', builtIn('restrict-database-network'))], undefined);
    expect(shaped.approval?.detail).toBe(
      `no ledger to wait on (a run without the stack, or without its approval settings). ${FIX}; to make these changes without a decision: set approval.defaults["contain-node"] and approval.defaults["restrict-database-network"] to "auto".`,
    );
  });

  it('held by a rule of the configuration: names the rule, never a default it did not use', () => {
    const shaped = shape([change('isolate:eni-1', { mode: 'approve', changeClass: 'isolate', ruleId: 'prod-tagged', why: 'env=prod' })], ledgerOnly);
    expect(shaped.approval?.detail).toBe(`no schedule group to bound the wait. ${FIX}; held by rule prod-tagged of the policy.`);
  });
});
