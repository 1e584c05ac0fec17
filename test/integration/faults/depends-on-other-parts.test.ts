import { CONTAIN_STEPS, containCell } from './contain-steps';
import { cellsOf, expectEndState, freshKeyVictim, freshVictim, invoke, disarm, revocationState, revokedOnce, containedOnce, containmentState, runCell, startBench, stopBench, type Bench, type StepUnderFault } from './harness';

/*
 * Cells of the fault matrix whose behaviour another part of issue 11
 * builds, kept here so they can be run once those parts are merged (each
 * names the part and why). They fail on a branch without those parts, so
 * the integration run leaves this file out unless asked:
 *   IR_FAULTS_DEPENDS=1 npx jest -c jest.integration.config.js test/integration/faults/depends-on-other-parts.test.ts
 *   - snapshots ("Calls that must not repeat"): a CreateSnapshots whose answer
 *     was lost must not make a second snapshot set;
 *   - restore records ("The restore record cannot be lost"): a run that
 *     changes an instance without its tag record leaves the retry nothing to
 *     record; the ledger's restore record is the answer;
 *   - the ledger's "answered" rule ("The ledger knows its own writes"): after
 *     an AccessDenied, the incident stays open, so a delivery once the
 *     permission is fixed finishes the work.
 */

let bench: Bench;

beforeAll(async () => {
  bench = await startBench();
});

afterAll(() => stopBench(bench));

const SNAPSHOT: StepUnderFault = {
  step: 'snapshot-volumes',
  matches: (r) => r.operation === 'CreateSnapshots',
  effect: 'one snapshot per volume',
  otherPart: {
    'lost-answer': 'once: one snapshot set per incident, whatever the faults',
    'late-answer': 'once: idem',
    throttling: 'once: idem',
    'access-denied': 'once: idem',
  },
};

describe('snapshots (part: calls that must not repeat)', () => {
  it.each(cellsOf([SNAPSHOT], true))('%s', async (_name, kind, step) => {
    await containCell(bench, kind, step);
  });
});

describe('restore records (part: the restore record cannot be lost)', () => {
  it.each(cellsOf(CONTAIN_STEPS, true))('%s', async (_name, kind, step) => {
    await containCell(bench, kind, step);
  });
});

describe("after an AccessDenied, a delivery once the permission is fixed acts (part: the ledger's answered rule)", () => {
  const denied = (step: string) => CONTAIN_STEPS.find((s) => s.step === step && s.effect !== 'instance profile recorded')!;

  it.each(['detach-from-auto-scaling-group', 'isolate', 'deregister'])('contain-instance, %s denied, then allowed', async (name) => {
    const step = denied(name);
    const victim = await freshVictim(bench);
    await runCell(bench, 'access-denied', step, victim.event, 'contain-instance');
    expectEndState('access-denied', step, await containmentState(bench, victim), containedOnce(victim));
    disarm(bench);
    const again = await invoke(bench, victim.event, 'contain-instance');
    expect(again.failed).toBe(false);
    expect(await containmentState(bench, victim)).toEqual(containedOnce(victim));
  });

  it('revoke-credentials, deactivate-access-key denied, then allowed', async () => {
    const step: StepUnderFault = { step: 'deactivate-access-key', matches: (r) => r.operation === 'UpdateAccessKey', effect: 'key deactivated' };
    const victim = await freshKeyVictim(bench);
    await runCell(bench, 'access-denied', step, { finding: victim.finding }, 'revoke-credentials');
    disarm(bench);
    await invoke(bench, { finding: victim.finding }, 'revoke-credentials');
    expect(await revocationState(bench, victim)).toEqual(revokedOnce(victim));
  });
});
