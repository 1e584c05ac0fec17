import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import type { ProxiedRequest } from '../../bench/latency-proxy';
import { CONTAIN_INSTANCE } from '../../lambda/handlers/contain-instance';
import { instanceRestoreKey } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import type { ResumeOutcome } from '../../lambda/respond/resume';
import { handleEvent } from '../../lambda/runtime/handle';
import type { PlaybookEntry } from '../../lambda/runtime/playbook-entry';
import { RetryableResponseError } from '../../lambda/runtime/retry-policy';
import { containInstanceWithApproval } from '../support/approval-playbook';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { instanceFindingEvent, newFindingId } from './support/findings';
import { handlerContext, handlerEnvironment, LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';

/*
 * Issue 13, review 13b H1: a resumed response (after an approval) whose invocation fails mid-way is retried by
 * Lambda, and the retry must be able to take the request again (its lease, lambda/approval/pending.ts) and finish
 * the isolation. Through the real handler against moto, the handler's calls through the fault proxy: the moves of
 * one interface fail with a 500 on every attempt in the first invocation; Lambda's retry (the same request id)
 * finds the fault gone.
 */

const GROUP = 'ir-approvals-retry';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/ir-approval-scheduler';

let bench: ProxiedHandlerBench;

const gated = containInstanceWithApproval(() => ({ mode: 'approve', changeClass: 'isolate', ruleId: 'prod', why: 'env=prod' }));
const entry: PlaybookEntry = { ...CONTAIN_INSTANCE, playbook: gated };

function invoke(event: unknown, awsRequestId: string): Promise<Report | Report[] | ResumeOutcome> {
  return handleEvent(
    event,
    handlerContext(bench.account, { awsRequestId }),
    entry,
    handlerEnvironment(bench.account, { environment: { approval: { scheduleGroup: GROUP, schedulerRoleArn: SCHEDULER_ROLE } } }),
  );
}

const movesOf = (eni: string) => (request: ProxiedRequest) => request.operation === 'ModifyNetworkInterfaceAttribute' && request.params.NetworkInterfaceId === eni;

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
  await bench.account.clients.scheduler.send(new CreateScheduleGroupCommand({ Name: GROUP }));
});

afterAll(async () => {
  await bench?.close();
});

it('a resume that fails mid-way is retried by Lambda and completes the isolation once; the request is then closed for good', async () => {
  const { account, proxy } = bench;
  const instance = account.seed.instanceA;
  const before = groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId));
  const enis = Object.keys(before);
  const faulted = enis.at(-1)!;
  const first = (await invoke(instanceFindingEvent(account.seed, instance, { id: newFindingId() }), 'req-first')) as Report;
  expect(first.approval?.status).toBe('awaiting');
  await bench.dynamodb.send(
    new UpdateItemCommand({
      TableName: LEDGER_TABLE,
      Key: { pk: { S: `approval#${first.incidentId}` } },
      UpdateExpression: 'SET #status = :approved, decision = :decision',
      ConditionExpression: '#status = :pending AND planHash = :shown',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':approved': { S: 'approved' },
        ':pending': { S: 'pending' },
        ':shown': { S: first.approval!.planHash },
        ':decision': { M: { decision: { S: 'approve' }, by: { S: 'alice' }, at: { S: new Date().toISOString() }, channel: { S: 'cli' }, planHash: { S: first.approval!.planHash } } },
      },
    }),
  );

  // The first resuming invocation: every move of one interface fails (500, past the SDK's retries). It fails to be retried.
  proxy.clearFaults();
  proxy.addFault({ kind: 'server-error', matches: movesOf(faulted) });
  const decided = { kind: 'approval-decided', incidentId: first.incidentId };
  await expect(invoke(decided, 'req-resume')).rejects.toBeInstanceOf(RetryableResponseError);
  proxy.clearFaults();
  const taken = await bench.item(`approval#${first.incidentId}`);
  // Its lease given back at once (takenUntil = resumedAt's time or later): the retry may take it.
  expect(taken).toMatchObject({ status: { S: 'approved' }, takenBy: { S: 'req-resume' } });
  expect(Date.parse(taken!.takenUntil!.S!)).toBeLessThan(Date.now() + 1000);
  expect(taken?.closedAt).toBeUndefined();
  // Still awaiting the resumed act: a delivery meanwhile is a repeat, and the retry's outcome write finds it so.
  expect((await bench.item(`incident#${first.incidentId}`))?.answerKind).toEqual({ S: 'awaiting-approval' });
  const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
  expect(groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId))[faulted]).not.toEqual([isolation!.GroupId]);

  // Lambda's retry: the same request id takes it again and finishes.
  const callsBefore = proxy.calls.length;
  const retried = (await invoke(decided, 'req-resume')) as ResumeOutcome;
  expect(retried.status).toBe('resumed');
  const report = (retried as Extract<ResumeOutcome, { status: 'resumed' }>).report;
  expect(report.approval).toMatchObject({ status: 'approved' });
  expect(report.summary.failed).toBe(0);
  const after = groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId));
  for (const eni of enis) expect(after[eni]).toEqual([isolation!.GroupId]);
  // The faulted interface was isolated once, by the retry: one answered move to the isolation group.
  const isolatedBy = proxy.calls.slice(callsBefore).filter((c) => movesOf(faulted)(c) && Object.values(c.params).some((v) => v === isolation!.GroupId) && c.status === 200);
  expect(isolatedBy).toHaveLength(1);
  // The restore record keeps the groups the interfaces had before any response (the first record wins).
  const restore = await bench.item(instanceRestoreKey(account.seed.accountId, account.seed.region, instance.instanceId));
  expect(JSON.stringify(restore)).toContain(before[faulted]![0]!);
  expect(JSON.stringify(restore)).not.toContain(`"${isolation!.GroupId}"`);
  expect((await bench.item(`incident#${first.incidentId}`))?.answerKind).toEqual({ S: 'changes-done' });
  expect((await bench.item(`approval#${first.incidentId}`))?.closedAt?.S).toBeDefined();

  // Closed for good: the same request id again, or any other, changes nothing.
  const callsAtEnd = proxy.calls.length;
  expect(await invoke(decided, 'req-resume')).toMatchObject({ status: 'nothing-to-do' });
  expect(proxy.calls.slice(callsAtEnd).filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute')).toEqual([]);
});
