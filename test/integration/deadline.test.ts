import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { EMULATOR_REGION } from '../../emulator/clients';
import { END_MARGIN_MS, END_OF_RESPONSE_RESERVE_MS, STEP_OVERRUN_MS } from '../../lambda/plan/end-of-response';
import { NOT_FINISHED_IN_TIME, OUT_OF_TIME } from '../../lambda/plan/executor';
import type { Report } from '../../lambda/plan/document';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { TIMEOUT } from '../../lib/playbook-function';
import { instanceFinding, instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';

/*
 * The deadline holds with AWS answering slowly: the real Lambda handler,
 * with a context whose remaining time counts down from the playbook's
 * configured timeout (lib/playbook-function.ts), against the emulator
 * behind the proxy (bench/latency-proxy.ts), which delays every call by
 * LATENCY_MS and holds the answer to one evidence write past the client's
 * timeout every time it is sent (the SDK tries it 5 times). The notify
 * playbook, whose configured timeout (30 s) is the shortest: its deadline
 * falls 6 s in, so the slow calls cross it. Measured: the invocation returns
 * before Lambda would end it, with its report recorded in the ledger, the
 * notification delivered, the write still running at the deadline abandoned
 * when the overrun ends, and the write not started reported as not started.
 * The measured figures are printed for the README's "Speed" section.
 */

const BUCKET = 'guardduty-ir-evidence-deadline';
/** Each call's delay: a slow AWS, still answering within the client's 5 s request timeout. */
const LATENCY_MS = 3_000;
const FINDING_ID = 'dead11e0000000000000000000000001';
const TIMEOUT_MS = TIMEOUT.notify.toMilliseconds();

let bench: ProxiedHandlerBench;
let elapsedMs: number;
let outcome: unknown;

const portProbe = { id: FINDING_ID, type: 'Recon:EC2/PortProbeUnprotectedPort' };

beforeAll(async () => {
  bench = await startProxiedHandlerBench({ latencyMs: LATENCY_MS });
  const { account, proxy } = bench;
  await account.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  // Every attempt of finding.json's write is answered 60 s late: the step is still running at the deadline.
  proxy.addFault({ kind: 'late-answer', matches: (r) => r.operation.startsWith('PUT ') && r.operation.includes('/finding.json'), holdMs: 60_000 });
  const invokedAt = Date.now();
  outcome = await bench
    .invoke(instanceFindingEvent(account.seed, account.seed.instanceA, portProbe), {
      playbook: 'notify',
      environment: { evidence: { bucket: BUCKET, region: EMULATOR_REGION } },
      // Lambda's own clock: the configured timeout, counting down from the invocation.
      remainingMs: () => TIMEOUT_MS - (Date.now() - invokedAt),
    })
    .catch((error: unknown) => error);
  elapsedMs = Date.now() - invokedAt;
  // For the README's "Speed" section.
  console.log(`deadline: notify (timeout ${TIMEOUT_MS} ms, reserve ${END_OF_RESPONSE_RESERVE_MS} ms), ${LATENCY_MS} ms per call: returned after ${elapsedMs} ms`);
}, 120_000);

afterAll(() => bench?.close());

describe('a response with AWS answering slowly', () => {
  it('returns before the Lambda timeout, with the margin kept for logging and returning', () => {
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS - END_MARGIN_MS);
    // The slow write was not waited for past the overrun: it crossed the deadline.
    expect(elapsedMs).toBeGreaterThan(TIMEOUT_MS - END_OF_RESPONSE_RESERVE_MS + STEP_OVERRUN_MS);
  });

  it('returns the report, recorded in the ledger (evidence writes that did not finish block and undo nothing)', () => {
    const report = outcome as Report;
    expect(report.ledger).toMatchObject({ table: LEDGER_TABLE, recorded: true });
    expect(report.steps.filter((s) => s.status === 'failed').map((s) => [s.id, s.error?.code])).toEqual([
      ['evidence:finding.json', NOT_FINISHED_IN_TIME],
      ['evidence:report.json', OUT_OF_TIME],
    ]);
  });

  it('records the report in the ledger: the write running at the deadline abandoned, the write not started reported as not started', async () => {
    const incidentId = incidentIdOf(instanceFinding(bench.account.seed, bench.account.seed.instanceA, portProbe));
    const item = (await bench.item(`incident#${incidentId}`))!;
    expect(item.leaseUntil).toBeUndefined();
    const steps = Object.fromEntries(item.steps!.L!.map((s) => [s.M!.id!.S!, [s.M!.status!.S, s.M!.errorCode?.S]]));
    expect(steps).toEqual({
      notify: ['done', undefined],
      'evidence:finding.json': ['failed', NOT_FINISHED_IN_TIME],
      'evidence:plan.json': ['done', undefined],
      'evidence:describe.json': ['done', undefined],
      'evidence:report.json': ['failed', OUT_OF_TIME],
      // The Security Hub note (on by default) is a call moto cannot answer: skipped on the emulator, before the deadline.
      'securityhub:note': ['skipped', undefined],
    });
    const notStarted = item.steps!.L!.find((s) => s.M!.id!.S === 'evidence:report.json')!.M!.errorMessage!.S!;
    expect(notStarted).toMatch(/^not started: the invocation's time ran out/);
  });

  it('delivers the notification once', async () => {
    const inbox = (await bench.inbox()).filter((n) => n.message.includes(FINDING_ID));
    expect(inbox).toHaveLength(1);
    expect(bench.proxy.calls.filter((c) => c.operation === 'Publish')).toHaveLength(1);
  });
});
