import type { FaultKind } from '../../../bench/proxy-faults';
import { cellsOf, expectEndState, expectLedgerAnswered, freshKeyVictim, revocationState, revokedOnce, runCell, startBench, stopBench, type Bench, type StepUnderFault } from './harness';

/*
 * The mutating steps of revoke-credentials (deactivate the key, revoke the
 * user's sessions), through the Lambda handler, under each fault of the
 * proxy (harness.ts). Each cell is a fresh IAM user with one active key.
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

async function revokeCell(kind: FaultKind, step: StepUnderFault): Promise<void> {
  const victim = await freshKeyVictim(bench);
  const { first, retry } = await runCell(bench, kind, step, { finding: victim.finding }, 'revoke-credentials');
  expectEndState(kind, step, await revocationState(bench, victim), revokedOnce(victim));
  if (kind !== 'access-denied') await expectLedgerAnswered(bench, (retry ?? first).report);
}

it.each(cellsOf(REVOKE_STEPS, false))('%s', async (_name, kind, step) => {
  await revokeCell(kind, step);
});
