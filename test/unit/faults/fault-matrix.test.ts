import { PUBLISH_NOTIFICATION } from '../../../lambda/notify/publish-step';
import { PLAYBOOKS } from '../../../lambda/playbooks/registry';
import { READ_SESSION_POLICY } from '../../../lambda/playbooks/revoke-credentials/specs';
import { runBaseline, type Baseline } from './baseline';
import { matchesCall } from './call-matching';
import { expectCell, runCell } from './cell';
import { FAULTS } from './faults';
import { MatrixTally } from './tally';
import { FAULT_SCENARIOS, mockMatrixClients } from './scenarios';
import { READ_ROLE_REVOKE_POLICY } from '../../../lambda/playbooks/contain-function/specs';
import { MOVE_INSTANCE_GROUPS } from '../../../lambda/playbooks/contain-instance/specs';

/*
 * The fault matrix: for every read and every step of each scenario's plan
 * (notification included), and for each of throttling, a 5xx, access
 * denied, not found and a socket timeout, exactly that one call fails and
 * respond() runs in enforce. The cells come from a fault-free run of the
 * plan, so a step added to a playbook is in the matrix without a change here.
 * See cell.ts for what each cell checks.
 */

const mocks = mockMatrixClients();
const tally = new MatrixTally(FAULTS.length);

afterAll(() => {
  for (const stub of Object.values(mocks)) stub.restore();
  console.log(tally.summary());
});

describe.each(FAULT_SCENARIOS)('fault matrix, $name', (scenario) => {
  let baseline: Baseline;

  beforeAll(async () => {
    baseline = await runBaseline(mocks, scenario);
    tally.addTargets(baseline.targets.length);
  });

  it('runs clean without a fault: not blocked, every read done, every step done (or skipped by itself), each call its own', () => {
    expect(baseline.blockedBy).toEqual([]);
    expect(baseline.reads.map((r) => [r.id, r.status])).toEqual(baseline.reads.map((r) => [r.id, 'done']));
    // Every action the plan holds is taken; only a read-only step, or one that only undoes a failure, may find it has nothing to do.
    const compensating = new Set(baseline.steps.filter((s) => s.compensates !== undefined).map((s) => s.id));
    expect(
      baseline.outcomes.filter((o) => o.status === 'failed' || (o.status === 'skipped' && o.mutating && !compensating.has(o.id))).map((o) => [o.id, o.status, o.reason ?? o.error?.code]),
    ).toEqual([]);
    // A cell must break one call only: no call may be the call of two targets, nor be sent twice.
    expect(baseline.targets.map((t) => [t.id, baseline.sent.filter((c) => matchesCall(t.call, c)).length])).toEqual(baseline.targets.map((t) => [t.id, 1]));
  });

  it.each(FAULTS)('$kind: in each read and each step in turn', async (fault) => {
    const problems: string[] = [];
    for (const target of baseline.targets) {
      try {
        expectCell(await runCell(mocks, scenario, target, fault), scenario, baseline, target, fault);
        tally.pass();
      } catch (error) {
        problems.push(tally.fail(`${scenario.playbook} ${target.id} × ${fault.kind}`, error));
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('fault matrix coverage', () => {
  it('breaks every step kind and every read each playbook declares, and the notification, in some scenario of that playbook', async () => {
    const covered = new Set<string>();
    for (const scenario of FAULT_SCENARIOS) {
      for (const target of (await runBaseline(mocks, scenario)).targets) covered.add(`${scenario.playbook}: ${target.stepKind}`);
    }
    // The revoke policy a principal already has is read by the restore record step, with the ledger only (test/unit/ledger/restore-record-steps.test.ts,
    // test/unit/playbooks/contain-function/restore-record-step.test.ts).
    // answer-sequence declares its members' step kinds and runs their own steps (renamed: test/unit/playbooks/answer-sequence/): broken in their scenarios.
    // contain-task and contain-eks run contain-instance's (and contain-eks revoke-credentials') steps: a kind they reuse is broken
    // in the scenarios of the playbook that owns it (credential theft, for one, never routes to them).
    // quarantine-object's copy mode makes several calls per step (the quarantine bucket checked, the version and the copy read, the copy, the
    // delete), which this matrix's one-call-per-step cells cannot name: each of its calls is broken in turn by
    // test/unit/playbooks/quarantine-object/copy-mode.test.ts, and lost answers on the emulator (test/integration/quarantine-object-copy.test.ts).
    const copyMode = new Set(['copy-object-version', 'remove-object-version']);
    // contain-instance's early move (the Lambda's warm container only, sent before any read) is not in these scenarios: each of its
    // faults (refused, not answered, throttled, a server error, a lost claim) is broken in turn by
    // test/unit/playbooks/contain-instance/early-move-safety.test.ts and early-move.test.ts.
    const earlyMove = MOVE_INSTANCE_GROUPS.kind;
    const reusedFrom: Partial<Record<string, readonly string[]>> = { 'contain-task': ['contain-instance'], 'contain-eks': ['contain-instance', 'revoke-credentials'] };
    const coveredFor = (name: string, kind: string) => covered.has(`${name}: ${kind}`) || (reusedFrom[name] ?? []).some((owner) => covered.has(`${owner}: ${kind}`));
    const declared = Object.values(PLAYBOOKS)
      .filter((playbook) => playbook.name !== 'answer-sequence')
      .flatMap((playbook) => playbook.stepSpecs.map((spec) => [playbook.name, spec.kind] as const))
      .filter(([name, kind]) => kind !== READ_SESSION_POLICY.kind && !(name === 'contain-function' && kind === READ_ROLE_REVOKE_POLICY.kind))
      .filter(([name, kind]) => !(name === 'quarantine-object' && copyMode.has(kind)) && kind !== earlyMove)
      .filter(([name, kind]) => !coveredFor(name, kind))
      .map(([name, kind]) => `${name}: ${kind}`);
    const notified = FAULT_SCENARIOS.map((s) => `${s.playbook}: ${PUBLISH_NOTIFICATION.kind}`);
    expect([...declared, ...notified.filter((entry) => !covered.has(entry))]).toEqual([]);
  });
});
