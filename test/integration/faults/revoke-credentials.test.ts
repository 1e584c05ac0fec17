import { cellsOf, freshKeyVictim, revocationState, revokedOnce, runCell, startBench, stopBench, type Bench, type StepUnderFault } from './harness';

/*
 * The mutating steps of revoke-credentials (deactivate the key, revoke the
 * user's sessions), through the Lambda handler, under each fault of the
 * proxy (harness.ts). Each cell is a fresh IAM user with one active key;
 * a denied step is followed by the delivery once the permission is fixed.
 * The read-only investigation after them is not faulted here.
 */

export const REVOKE_STEPS: readonly StepUnderFault[] = [
  { step: 'deactivate-access-key', matches: (r) => r.operation === 'UpdateAccessKey', effect: 'key deactivated' },
  { step: 'revoke-user-sessions', matches: (r) => r.operation === 'PutUserPolicy', effect: 'sessions revoked' },
];

let bench: Bench;

beforeAll(async () => {
  bench = await startBench();
});

afterAll(() => stopBench(bench));

it.each(cellsOf(REVOKE_STEPS))('%s', async (_name, kind, step) => {
  const victim = await freshKeyVictim(bench);
  await runCell(bench, { kind, step, event: { finding: victim.finding }, playbook: 'revoke-credentials', state: () => revocationState(bench, victim), once: revokedOnce(victim) });
});
