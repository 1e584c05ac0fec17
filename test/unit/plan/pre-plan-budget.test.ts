import { createServer, type IncomingMessage, type Server } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sdkClientConfig } from '../../../lambda/aws/clients';
import { OUT_OF_TIME } from '../../../lambda/plan/executor';
import { PHASE_END_SHARE, PHASE_TIMED_OUT, PhaseTimedOutError, PrePlanBudget } from '../../../lambda/plan/pre-plan-budget';
import { PRE_PLAN_PHASES } from '../../../lambda/plan/phase-verdicts';
import { ReadLog } from '../../../lambda/plan/reads';
import { END_OF_RESPONSE_RESERVE_MS } from '../../../lambda/plan/end-of-response';
import { TIMEOUT } from '../../../lib/playbook-function';

/*
 * The one place that decides how long each call before the plan may take
 * (lambda/plan/pre-plan-budget.ts): its cut-offs, its errors, and that a
 * call abandoned at a cut-off is really ended, not left retrying behind the
 * response's back.
 */

const LOOK = { kind: 'look', iamActions: ['ec2:DescribeInstances' as const], mutating: false } as const;
const hang = () => new Promise<never>(() => undefined);

describe('the cut-offs', () => {
  it('come in the order the phases need: AssumeRole before discovery, the ledger (settled after discovery) last, all before the deadline', () => {
    expect(PHASE_END_SHARE['assume-role']).toBeLessThan(PHASE_END_SHARE.discovery);
    expect(PHASE_END_SHARE.discovery).toBeLessThanOrEqual(PHASE_END_SHARE.ledger);
    expect(PHASE_END_SHARE.confirmation).toBeLessThanOrEqual(PHASE_END_SHARE.ledger);
    for (const phase of PRE_PLAN_PHASES) expect(PHASE_END_SHARE[phase]).toBeLessThan(1);
  });

  it("are shares of the time from the response's start to its deadline, for every playbook's timeout", () => {
    for (const [playbook, timeout] of Object.entries(TIMEOUT)) {
      const deadline = timeout.toMilliseconds() - END_OF_RESPONSE_RESERVE_MS;
      const budget = PrePlanBudget.starting(0, deadline);
      // notify: 6 s before its deadline, the claim has 5.4 s; contain-instance: AssumeRole 26.4 s, the discovery reads 52.8 s.
      expect([playbook, budget.cutOffOf('ledger')]).toEqual([playbook, Math.floor(deadline * 0.9)]);
      expect(budget.cutOffOf('assume-role')).toBe(Math.floor(deadline * 0.4));
    }
  });

  it('bound nothing without a deadline (the ir CLI)', async () => {
    const budget = PrePlanBudget.starting(Date.now(), undefined);
    expect(budget.cutOffOf('ledger')).toBeUndefined();
    await expect(budget.run('ledger', 'a call', async () => 'answered')).resolves.toBe('answered');
  });
});

describe('a call of a phase', () => {
  it('still running at the cut-off is abandoned: PhaseTimedOut, retryable, naming the call and the phase; the phase gets its verdict', async () => {
    const budget = PrePlanBudget.starting(Date.now(), Date.now() + 200);
    const started = Date.now();
    const error = await budget.run('discovery', 'Describe instance i-1', hang).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(155);
    expect(error).toBeInstanceOf(PhaseTimedOutError);
    expect(error).toMatchObject({ code: PHASE_TIMED_OUT, retryable: true, phase: 'discovery', sent: true });
    expect((error as Error).message).toMatch(/^Describe instance i-1: not answered by \S+: abandoned \(a write may still land\); the discovery reads \(the discovery phase\) must end then/);
    expect(budget.timedOut).toEqual(['discovery']);
    expect(budget.verdicts()).toEqual([{ id: 'discovery-out-of-time', blocks: true, reason: expect.stringMatching(/^the discovery reads did not end by /) }]);
  });

  it('not sent by the cut-off is never sent: OutOfTime, as a step not started', async () => {
    const budget = PrePlanBudget.starting(Date.now() - 1_000, Date.now() - 1);
    const call = jest.fn(async () => 'answered');
    await expect(budget.run('ledger', 'Claim incident x', call)).rejects.toMatchObject({ code: OUT_OF_TIME, sent: false, retryable: true });
    expect(call).not.toHaveBeenCalled();
    expect(budget.timedOut).toEqual(['ledger']);
  });

  it('answered in time, or failing for its own reason, is what it is: no verdict', async () => {
    const budget = PrePlanBudget.starting(Date.now(), Date.now() + 5_000);
    await expect(budget.run('confirmation', 'a call', async () => 7)).resolves.toBe(7);
    await expect(budget.run('confirmation', 'a call', async () => Promise.reject(new Error('AccessDenied')))).rejects.toThrow('AccessDenied');
    expect(budget.verdicts()).toEqual([]);
  });

  it('through a ReadLog: the read fails in the report with the phase error, never thrown', async () => {
    const budget = PrePlanBudget.starting(Date.now(), Date.now() + 100);
    const reads = new ReadLog(budget.phase('discovery'));
    const result = await reads.read(LOOK, 'Describe instance i-1', 'i-1', hang);
    expect(result).toMatchObject({ ok: false, error: { code: PHASE_TIMED_OUT, retryable: true } });
    expect(reads.outcomes).toEqual([expect.objectContaining({ id: 'read:look:i-1', status: 'failed', error: expect.objectContaining({ code: PHASE_TIMED_OUT }) })]);
  });
});

describe('an SDK call abandoned at the cut-off', () => {
  let server: Server;
  let endpoint: string;
  const requests: { at: number; closedAt?: number }[] = [];

  beforeAll(async () => {
    // An endpoint that takes every request and never answers.
    server = createServer((request: IncomingMessage) => {
      const entry: { at: number; closedAt?: number } = { at: Date.now() };
      requests.push(entry);
      request.socket.on('close', () => (entry.closedAt = Date.now()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('has its request ended at once, and is not sent again (without the cut-off the SDK would wait 5 s per attempt, 5 attempts)', async () => {
    const client = new DynamoDBClient(sdkClientConfig({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } }));
    // A second before the cut-off: on a loaded machine the SDK takes a while to build and send its one request.
    const budget = PrePlanBudget.starting(Date.now(), Date.now() + 1_000);
    const started = Date.now();
    const error = await budget.run('ledger', 'GetItem', () => client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: PHASE_TIMED_OUT, phase: 'ledger' });
    expect(Date.now() - started).toBeLessThan(3_000);
    // Give a retry the time it would need to show up: none does, and the one request's socket was closed at the cut-off.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.closedAt).toBeDefined();
    expect(requests[0]!.closedAt! - started).toBeLessThan(3_000);
  });

  it('leaves calls outside any phase alone: the same client still answers through its own limits', async () => {
    const client = new DynamoDBClient(sdkClientConfig({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' }, maxAttempts: 1, requestTimeoutMs: 400 }));
    const before = requests.length;
    const started = Date.now();
    const error = await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } })).catch((e: unknown) => e);
    // Ended by the client's own request timeout, not by any phase.
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(requests.length - before).toBe(1);
  });
});
