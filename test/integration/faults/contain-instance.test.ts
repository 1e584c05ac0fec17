import { CONTAIN_STEPS, containCell, restoreCell } from './contain-steps';
import { ALL_FAULTS, cellsOf, startBench, stopBench, type Bench } from './harness';

/*
 * Every mutating step of contain-instance, through the Lambda handler, under
 * each fault of the proxy (harness.ts): the answer lost after the write
 * landed, the answer later than the client timeout, throttling past every
 * retry, AccessDenied. Each cell contains a fresh instance and asserts the
 * account's end state read from moto, the ledger and the notification.
 */

let bench: Bench;

beforeAll(async () => {
  bench = await startBench();
});

afterAll(() => stopBench(bench));

it.each(cellsOf(CONTAIN_STEPS))('%s', async (_name, kind, step) => {
  await containCell(bench, kind, step);
});

it.each(ALL_FAULTS)('%s on restore (the move back to its own groups after a failed isolation move)', async (kind) => {
  await restoreCell(bench, kind);
});
