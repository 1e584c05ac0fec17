import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue, type PutItemCommandInput, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { GetFindingsCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { planHashOf } from '../../../lambda/approval/plan-hash';
import { PendingApprovals } from '../../../lambda/approval/pending';
import { listPendingApprovals } from '../../../lambda/approval/pending-approval';
import { TOKEN_PARAMETER } from '../../../lambda/approval/link';
import { verifyToken } from '../../../lambda/approval/token';
import { approvalLinkMaker, type ApprovalLinkMaker } from '../../../lambda/approval/wait-links';
import { answerAsKms, macKey } from '../approval/support';
import { KMSClient } from '@aws-sdk/client-kms';
import type { OneTimeSchedule, ScheduleWriter } from '../../../lambda/approval/schedules';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { BRAKE_WINDOW_MS, ContainmentBrake, slotKey } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { Report } from '../../../lambda/plan/document';
import type { PlannedStep } from '../../../lambda/plan/types';
import { containInstancePlaybook } from '../../../lambda/playbooks/contain-instance/playbook';
import type { AnyPlaybook } from '../../../lambda/playbooks/types';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { respondWith } from '../../../lambda/respond/respond-with';
import { FIRST_ACT_ONLY_WHY } from '../../../lambda/respond/first-act-steps';
import { resumeFromApproval, type ResumeOptions } from '../../../lambda/respond/resume';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import type { ApprovalWaitOptions } from '../../../lambda/respond/wait';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { declaredActions, useContainHarness } from '../../support/aws-mocks/contain-harness';
import { awsError, CREATED_ISOLATION_SG, CREATED_UNTRACK_SG, ISOLATION_SG_A, PRIMARY_ENI, responderGroup, SECONDARY_ENI, UNTRACK_SG_A, VPC_A } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';
import { containInstanceWithApproval, isNetworkMove } from '../../support/approval-playbook';

/*
 * The wait for a decision (lambda/respond/wait.ts) and its resumption
 * (lambda/respond/resume.ts), on the contain-instance playbook whose network
 * isolation the policy gives to a person: the evidence and the other
 * automatic steps run, the isolation waits; the decision resumes it from the
 * ledger, re-reading the instance first.
 */

const h = useContainHarness(new Set([...declaredActions(), 'sns:Publish']));
const guardDuty = useGuardDuty();
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-topic';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:ir-contain-instance';
const SCHEDULER_ROLE = 'arn:aws:iam::111111111111:role/ir-approval-scheduler';
const GROUP = 'ir-approvals';
const WAIT_MS = 60 * 60 * 1000;


/**
 * What the policy says of the network moves when the plan is made: 'prod' (the env=prod tag is there: approve),
 * 'untagged' (the tag removed: no rule governs them), 'auto' (a relaxed policy), 'never' (a stricter one).
 */
let rating: 'prod' | 'untagged' | 'auto' | 'never' = 'prod';
const approvalOf = (): PlannedStep['approval'] =>
  rating === 'prod'
    ? { mode: 'approve', changeClass: 'isolate', ruleId: 'prod', why: 'env=prod needs a person' }
    : rating === 'auto'
      ? { mode: 'auto', changeClass: 'isolate', ruleId: 'relaxed', why: 'isolation is automatic now' }
      : rating === 'never'
        ? { mode: 'never', changeClass: 'isolate', ruleId: 'no-isolation', why: 'isolation is never made now' }
        : undefined;

const gated = containInstanceWithApproval(approvalOf);
const catalog = { 'contain-instance': gated };

let items: Map<string, Record<string, AttributeValue>>;
let schedules: { created: OneTimeSchedule[]; deleted: string[] };

function writer(): ScheduleWriter {
  return {
    create: (schedule) => {
      schedules.created.push(schedule);
      return Promise.resolve();
    },
    delete: (name) => {
      schedules.deleted.push(name);
      return Promise.resolve();
    },
  };
}

function approvalOptions(now: Date = NOW): ApprovalWaitOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  void now;
  return {
    pending: new PendingApprovals(client, TABLE),
    schedules: { writer: writer(), target: { groupName: GROUP, functionArn: FUNCTION_ARN, roleArn: SCHEDULER_ROLE } },
    waitMs: WAIT_MS,
    escalateBeforeMs: 15 * 60 * 1000,
    onTimeout: 'stand-down',
  };
}

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  rating = 'prod';
  items = new Map();
  schedules = { created: [], deleted: [] };
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(DeleteItemCommand).resolves({});
  dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    const key = input.Item!.pk!.S!;
    if (key.startsWith('approval#') && items.get(key)?.status?.S === 'pending') throw conditionFailed();
    items.set(key, input.Item!);
    return {};
  });
  dynamodb.on(GetItemCommand).callsFake((input: { Key: { pk: { S: string } } }) => ({ Item: items.get(input.Key.pk.S) }));
  // The incident's claim and outcome are accepted; the approval item's take is checked as DynamoDB would.
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    const key = input.Key!.pk!.S!;
    if (key.startsWith('approval#')) {
      items.set(key, approvalUpdated(items.get(key), input));
    }
    return {};
  });
  h.mocks.sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

/**
 * The approval item's take, close and release as DynamoDB would judge their conditions (lambda/approval/pending.ts):
 * a fresh take needs no take before; a take again needs the same take as read, not closed, and the same holder or a lease run out.
 */
function approvalUpdated(item: Record<string, AttributeValue> | undefined, input: UpdateItemCommandInput): Record<string, AttributeValue> {
  const values = input.ExpressionAttributeValues!;
  if (!item) throw conditionFailed();
  const expression = input.UpdateExpression!;
  if (expression.startsWith('SET closedAt') || expression === 'SET takenUntil = :now') {
    if (input.ConditionExpression !== 'resumedAt = :taken AND attribute_not_exists(closedAt)') throw new Error(`unexpected condition ${input.ConditionExpression}`);
    if (item.resumedAt?.S !== values[':taken']!.S || item.closedAt) throw conditionFailed();
    if (expression.startsWith('SET closedAt')) {
      const { takenUntil: _until, ...rest } = item;
      void _until;
      return { ...rest, closedAt: values[':now']! };
    }
    return { ...item, takenUntil: values[':now']! };
  }
  if (item.status?.S !== values[':status']?.S || item.planHash?.S !== values[':hash']?.S) throw conditionFailed();
  if (values[':taken'] === undefined) {
    if (input.ConditionExpression !== '#status = :status AND planHash = :hash AND attribute_not_exists(resumedAt)' || item.resumedAt) throw conditionFailed();
  } else {
    if (input.ConditionExpression !== '#status = :status AND planHash = :hash AND resumedAt = :taken AND attribute_not_exists(closedAt) AND (takenBy = :by OR takenUntil < :now)') throw new Error(`unexpected condition ${input.ConditionExpression}`);
    const leaseOver = item.takenUntil !== undefined && item.takenUntil.S! < values[':now']!.S!;
    if (item.resumedAt?.S !== values[':taken'].S || item.closedAt || !(item.takenBy?.S === values[':by']!.S || leaseOver)) throw conditionFailed();
  }
  return { ...item, resumedAt: values[':now']!, takenBy: values[':by']!, takenUntil: values[':until']!, ...(values[':expired'] ? { status: values[':expired'] } : {}) };
}

const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const published = () => h.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const moves = () => h.callsOf('ModifyNetworkInterfaceAttribute');
const status = (report: Report, id: string) => report.steps.find((s) => s.id === id)?.status;

async function firstAct(onTimeout: 'act' | 'stand-down' = 'stand-down', more: { links?: ApprovalLinkMaker; chatTopicArn?: string; now?: Date } = {}): Promise<Report> {
  guardDuty.holds(containFinding());
  const at = more.now ?? NOW;
  return respondWith(catalog, containFinding(), {
    ...(more.chatTopicArn ? { chatTopicArn: more.chatTopicArn } : {}),
    config: enforceConfig(),
    clients: h.clients,
    confirmFinding: startConfirmation,
    dryRun: false,
    responder: RESPONDER,
    now: () => at,
    topicArn: TOPIC,
    ledger: ledgerOptions(),
    approval: { ...approvalOptions(), onTimeout, ...(more.links ? { links: more.links } : {}) },
  });
}

function resumeOptions(at: Date): ResumeOptions {
  return {
    config: enforceConfig(),
    clients: h.clients,
    confirmFinding: startConfirmation,
    dryRun: false,
    responder: RESPONDER,
    now: () => at,
    topicArn: TOPIC,
    approval: approvalOptions(at),
    incidents: new IncidentLedger(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), TABLE, () => at),
    brake: new ContainmentBrake(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), TABLE, 10, () => at),
  };
}

/** What a decision channel writes (lambda/approval/decisions.ts): status and decision, on the plan it showed. */
function decide(incidentId: string, decision: 'approve' | 'deny'): void {
  const key = `approval#${incidentId}`;
  const item = items.get(key)!;
  items.set(key, {
    ...item,
    status: { S: decision === 'approve' ? 'approved' : 'denied' },
    decision: { M: { decision: { S: decision }, by: { S: 'arn:aws:iam::111111111111:user/alice' }, at: { S: NOW.toISOString() }, channel: { S: 'cli' }, planHash: item.planHash!, reason: { S: 'checked with the app team' } } },
  });
}

/** GuardDuty throttles every call from now on: the finding cannot be confirmed (at the resumption). */
function guardDutyThrottled(): void {
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  guardDuty.mock.reset();
  guardDuty.mock.on(ListDetectorsCommand).rejects(throttled());
  guardDuty.mock.on(GetFindingsCommand).rejects(throttled());
}

describe('a response whose isolation needs approval', () => {
  describe('a request that cannot be made in full', () => {
    const CHAT_TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-chat';
    const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
    const chatOf = () => JSON.parse(published().find((p) => p.TopicArn === CHAT_TOPIC)!.Message!) as { metadata: { additionalContext: Record<string, string> } };
    const emailOf = () => published().find((p) => p.TopicArn === TOPIC)!;

    it('writes the schedules before the request: a pending request always has its deadline event', async () => {
      const pendingWhenScheduled: boolean[] = [];
      const base = approvalOptions();
      const watching: ScheduleWriter = {
        create: (schedule) => {
          pendingWhenScheduled.push([...items.keys()].some((k) => k.startsWith('approval#')));
          schedules.created.push(schedule);
          return Promise.resolve();
        },
        delete: () => Promise.resolve(),
      };
      guardDuty.holds(containFinding());
      const report = await respondWith(catalog, containFinding(), {
        config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW, topicArn: TOPIC, ledger: ledgerOptions(),
        approval: { ...base, schedules: { ...base.schedules!, writer: watching } },
      });
      expect(status(report, 'approval:request')).toBe('done');
      expect(pendingWhenScheduled).toEqual([false]);
      expect(items.get(`approval#${report.incidentId}`)?.status).toEqual({ S: 'pending' });
    });

    it('the request cannot be written (ledger throttled): its schedules are removed, and nothing says AWAITING APPROVAL or offers a decision', async () => {
      dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
        const key = input.Item!.pk!.S!;
        if (key.startsWith('approval#')) throw throttled();
        items.set(key, input.Item!);
        return {};
      });
      const report = await firstAct('stand-down', { chatTopicArn: CHAT_TOPIC });
      expect(report.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'failed', error: { code: 'ProvisionedThroughputExceededException' } });
      expect(items.has(`approval#${report.incidentId}`)).toBe(false);
      expect(moves()).toHaveLength(0);
      // Written first, then deleted, by name: nothing is left to fire.
      expect(schedules.created.map((c) => c.Name)).toHaveLength(1);
      expect(schedules.deleted.slice(-1)).toEqual(schedules.created.map((c) => c.Name));
      const email = emailOf();
      expect(email.Subject!.startsWith('[GuardDuty IR NEEDS APPROVAL - NOT CONTAINED] contain-instance')).toBe(true);
      expect(email.Message).not.toContain('AWAITING APPROVAL');
      expect(email.Message).toContain('the request for a decision was not recorded (ProvisionedThroughputExceededException: Rate exceeded): nothing waits, no deadline is set');
      // No step line names a deadline that nothing will keep.
      expect(email.Message).not.toContain(`until ${new Date(NOW.getTime() + WAIT_MS).toISOString()}`);
      expect(email.Message).toContain('NOT requested (the request for a decision was not recorded), nothing waits');
      expect(email.Message).not.toContain('Decide on plan');
      expect(chatOf().metadata.additionalContext).not.toHaveProperty('approvalPlanHash');
      expect(JSON.stringify(chatOf())).not.toContain('AWAITING APPROVAL');
    });

    it('a deadline or escalation schedule left by a request that was never written does nothing when it fires', async () => {
      dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
        const key = input.Item!.pk!.S!;
        if (key.startsWith('approval#')) throw throttled();
        items.set(key, input.Item!);
        return {};
      });
      const report = await firstAct();
      const late = new Date(NOW.getTime() + WAIT_MS + 1000);
      h.mocks.sns.resetHistory();
      for (const kind of ['approval-deadline', 'approval-escalate'] as const) {
        const fired = await resumeFromApproval(catalog, { kind, incidentId: report.incidentId }, 'contain-instance', resumeOptions(late));
        expect(fired).toEqual({ status: 'nothing-to-do', incidentId: report.incidentId, reason: 'no approval is pending for this incident' });
      }
      expect(moves()).toHaveLength(0);
      expect(published()).toHaveLength(0);
      expect(updates().filter((u) => u.Key!.pk!.S!.startsWith('approval#'))).toHaveLength(0);
    });

    it('the schedules cannot be written: no request is written (it would wait with no deadline), and nothing says AWAITING APPROVAL', async () => {
      const base = approvalOptions();
      const failing: ScheduleWriter = { create: () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: {} })), delete: () => Promise.resolve() };
      guardDuty.holds(containFinding());
      const report = await respondWith(catalog, containFinding(), {
        config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW, topicArn: TOPIC, ledger: ledgerOptions(),
        approval: { ...base, schedules: { ...base.schedules!, writer: failing } },
      });
      expect(report.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
      expect(items.has(`approval#${report.incidentId}`)).toBe(false);
      expect(dynamodb.commandCalls(PutItemCommand).filter((c) => c.args[0].input.Item!.pk!.S!.startsWith('approval#'))).toHaveLength(0);
      const email = emailOf();
      expect(email.Subject!.startsWith('[GuardDuty IR NEEDS APPROVAL - NOT CONTAINED] contain-instance')).toBe(true);
      expect(email.Message).not.toContain('AWAITING APPROVAL');
      expect(email.Message).toContain('the request for a decision was not recorded (AccessDeniedException: denied)');
    });

    it('the request cannot be written while an earlier one of the incident is pending: its schedules are put back, never removed', async () => {
      const first = await firstAct();
      const stored = items.get(`approval#${first.incidentId}`)!.deadline!.S!;
      schedules.created.length = 0;
      schedules.deleted.length = 0;
      dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
        const key = input.Item!.pk!.S!;
        if (key.startsWith('approval#')) throw throttled();
        items.set(key, input.Item!);
        return {};
      });
      const again = await firstAct('stand-down', { now: new Date(NOW.getTime() + 10 * 60 * 1000) });
      expect(status(again, 'approval:request')).toBe('failed');
      const deadlineName = schedules.created.find((c) => c.Name.includes('deadline'))!.Name;
      // Written for the new request, then written again for the standing one (each write replaces by name): its deadline stands.
      expect(schedules.created.filter((c) => c.Name === deadlineName).map((c) => c.ScheduleExpression)).toEqual([`at(${new Date(NOW.getTime() + 10 * 60 * 1000 + WAIT_MS).toISOString().slice(0, 19)})`, `at(${stored.slice(0, 19)})`]);
      expect(schedules.deleted.filter((n) => n === deadlineName)).toHaveLength(2);
    });

    it('a schedule write fails after replacing a pending request\'s schedule by name: the standing request\'s schedule is put back', async () => {
      const first = await firstAct();
      const stored = items.get(`approval#${first.incidentId}`)!.deadline!.S!;
      const created: OneTimeSchedule[] = [];
      let failNext = true;
      const flaky: ScheduleWriter = {
        create: (schedule) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
          }
          created.push(schedule);
          return Promise.resolve();
        },
        delete: () => Promise.resolve(),
      };
      const base = approvalOptions();
      guardDuty.holds(containFinding());
      const later = new Date(NOW.getTime() + 10 * 60 * 1000);
      const again = await respondWith(catalog, containFinding(), {
        config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => later, topicArn: TOPIC, ledger: ledgerOptions(),
        approval: { ...base, schedules: { ...base.schedules!, writer: flaky } },
      });
      expect(again.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'failed', error: { code: 'ThrottlingException' } });
      expect(created.map((c) => c.ScheduleExpression)).toEqual([`at(${stored.slice(0, 19)})`]);
    });

    it('a retry finds its own request pending: its deadline and escalation are put back as stored, not moved', async () => {
      const first = await firstAct();
      const stored = items.get(`approval#${first.incidentId}`)!.deadline!.S!;
      schedules.created.length = 0;
      const later = new Date(NOW.getTime() + 10 * 60 * 1000);
      const again = await firstAct('stand-down', { now: later });
      expect(again.incidentId).toBe(first.incidentId);
      // The last schedules written are the stored request's.
      const deadlines = schedules.created.filter((c) => c.Name.includes('deadline')).map((c) => c.ScheduleExpression);
      expect(deadlines.at(-1)).toBe(`at(${stored.slice(0, 19)})`);
    });
  });

  it('approved, but GuardDuty cannot confirm the finding at resume: the notification says APPROVED but NOT RUN, never that the changes ran', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    guardDutyThrottled();
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    const report = (resumed as { report: Report }).report;
    expect(moves()).toHaveLength(0);
    expect(report.blockedBy).toEqual(['confirmation-unavailable']);
    const email = published().at(-1)!;
    expect(email.Subject!.startsWith('[GuardDuty IR PLAN ONLY]')).toBe(true);
    expect(email.Message).toContain('APPROVED by arn:aws:iam::111111111111:user/alice (cli, ');
    expect(email.Message).toContain('checked with the app team, but NOT RUN: confirmation-unavailable: ');
    expect(email.Message).not.toMatch(/ ran on plan /);
  });

  it('stores a request made at a sub-second time with a whole-second deadline, exactly the instant its schedule fires', async () => {
    const report = await firstAct('stand-down', { now: new Date(NOW.getTime() + 250) });
    // Rounded up: the schedule (at() has whole seconds) never fires before the stored deadline.
    const deadline = new Date(NOW.getTime() + WAIT_MS + 1000).toISOString();
    expect(deadline.endsWith(':01.000Z')).toBe(true);
    expect(report.approval).toMatchObject({ status: 'awaiting', deadline });
    expect(items.get(`approval#${report.incidentId}`)!.deadline).toEqual({ S: deadline });
    expect(schedules.created.map((c) => c.ScheduleExpression)).toEqual([`at(${deadline.slice(0, 19)})`]);
  });

  it('runs the automatic steps, changes no network interface, asks for the decision and schedules its deadline', async () => {
    const report = await firstAct();
    expect(moves()).toEqual([]);
    const waiting = ['untrack:', 'isolate:', 'restore:'].flatMap((prefix) => [PRIMARY_ENI, SECONDARY_ENI].map((eni) => `${prefix}${eni}`));
    for (const id of waiting) expect(report.steps.find((s) => s.id === id)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^awaits approval.*: plan [0-9a-f]+, until /) });
    // The evidence steps ran (snapshots of the volumes are automatic).
    expect(report.steps.filter((s) => s.id.startsWith('snapshot')).every((s) => s.status === 'done')).toBe(true);
    expect(status(report, 'approval:request')).toBe('done');
    const deadline = new Date(NOW.getTime() + WAIT_MS).toISOString();
    expect(report.approval).toMatchObject({ status: 'awaiting', deadline, onTimeout: 'stand-down', steps: [`untrack:${PRIMARY_ENI}`, `untrack:${SECONDARY_ENI}`, `isolate:${PRIMARY_ENI}`, `isolate:${SECONDARY_ENI}`, `restore:${PRIMARY_ENI}`, `restore:${SECONDARY_ENI}`] });
    const item = items.get(`approval#${report.incidentId}`)!;
    expect(item).toMatchObject({ status: { S: 'pending' }, planHash: { S: report.approval!.planHash }, deadline: { S: deadline }, onTimeout: { S: 'stand-down' }, findingId: { S: report.findingId }, playbook: { S: 'contain-instance' } });
    expect(JSON.parse(item.plan!.S!).map((s: { id: string }) => s.id)).toEqual(report.approval!.steps);
    // Only the deadline: no escalation topic is configured.
    expect(schedules.created).toEqual([
      {
        Name: expect.stringMatching(/^ir-approval-deadline-[0-9a-f]{24}$/),
        GroupName: GROUP,
        ScheduleExpression: `at(${deadline.slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: FUNCTION_ARN, RoleArn: SCHEDULER_ROLE, Input: JSON.stringify({ kind: 'approval-deadline', incidentId: report.incidentId }) },
        Description: expect.stringContaining(report.incidentId),
      },
    ]);
    // The notification says so, with the plan hash; the incident is answered "awaiting-approval" (a re-delivery is a repeat).
    const [notification] = published();
    expect(notification!.Subject).toContain('[GuardDuty IR AWAITING APPROVAL]');
    expect(notification!.Message).toContain(`AWAITING APPROVAL: untrack:${PRIMARY_ENI}`);
    expect(notification!.Message).toContain(report.approval!.planHash);
    const outcome = updates().find((u) => u.ConditionExpression === 'claimToken = :token');
    expect(outcome!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'awaiting-approval' });
  });

  it('puts the signed approve and deny links in the email, and the incident and plan hash in the chat context', async () => {
    // KMS answered as it does for an HMAC_256 key (test/unit/approval/support.ts): the links are signed, then verified, through it.
    const kmsStub = mockClient(KMSClient);
    answerAsKms(kmsStub);
    const key = macKey();
    const LINK_URL = 'https://abc123.lambda-url.us-east-1.on.aws/';
    const CHAT_TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-chat';
    const report = await firstAct('stand-down', { links: approvalLinkMaker({ key, baseUrl: () => Promise.resolve(LINK_URL) }), chatTopicArn: CHAT_TOPIC });
    const planHash = report.approval!.planHash;
    expect(report.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'done', detail: expect.stringContaining('decision links signed') });
    const email = published().find((p) => p.TopicArn === TOPIC)!;
    const links = [...email.Message!.matchAll(/^ {2}(Approve|Deny): (\S+)$/gm)].map((m) => [m[1], m[2]!] as const);
    expect(links.map(([which]) => which)).toEqual(['Approve', 'Deny']);
    expect(email.Message).toContain(`Decide on plan ${planHash} (single-use links`);
    // Each link is the link function's URL with a token bound to this incident, this plan, its decision, expiring at the deadline.
    const deadline = Math.floor((NOW.getTime() + WAIT_MS) / 1000);
    for (const [which, url] of links) {
      expect(url.startsWith(`${LINK_URL}?${TOKEN_PARAMETER}=`)).toBe(true);
      const token = new URL(url).searchParams.get(TOKEN_PARAMETER)!;
      const check = await verifyToken(key, token, NOW.getTime());
      expect(check).toMatchObject({ status: 'valid', token: { incidentId: report.incidentId, planHash, decision: which === 'Approve' ? 'approve' : 'deny', expiresAt: deadline } });
    }
    const chat = JSON.parse(published().find((p) => p.TopicArn === CHAT_TOPIC)!.Message!) as { metadata: { additionalContext: Record<string, string> } };
    expect(chat.metadata.additionalContext).toMatchObject({ approvalIncidentId: report.incidentId, approvalPlanHash: planHash });
    // The links are for the email: a chat channel gets the buttons, never a signed link.
    expect(JSON.stringify(chat)).not.toContain(LINK_URL);
    kmsStub.restore();
  });

  it('still waits when the links cannot be signed: the request is made, the email names ir approve, no link', async () => {
    const failing: ApprovalLinkMaker = () => Promise.reject(Object.assign(new Error('User is not authorized to perform kms:GenerateMac'), { name: 'AccessDeniedException' }));
    const report = await firstAct('stand-down', { links: failing });
    expect(report.approval?.status).toBe('awaiting');
    expect(report.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'done', detail: expect.stringContaining('no decision links (AccessDeniedException: User is not authorized to perform kms:GenerateMac)') });
    const email = published().find((p) => p.TopicArn === TOPIC)!;
    expect(email.Message).not.toContain('Decide on plan');
    expect(email.Message).toContain(`ir approve ${report.incidentId}`);
  });

  it('sends no approval context on a chat notification that waits for nothing', async () => {
    const CHAT_TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-chat';
    guardDuty.holds(containFinding());
    await respondWith({ 'contain-instance': containInstancePlaybook as AnyPlaybook }, containFinding(), {
      config: enforceConfig(),
      clients: h.clients,
      confirmFinding: startConfirmation,
      dryRun: false,
      responder: RESPONDER,
      now: () => NOW,
      topicArn: TOPIC,
      chatTopicArn: CHAT_TOPIC,
    });
    const chat = JSON.parse(published().find((p) => p.TopicArn === CHAT_TOPIC)!.Message!) as { metadata: { additionalContext: Record<string, string> } };
    expect(Object.keys(chat.metadata.additionalContext)).not.toContain('approvalPlanHash');
  });

  it('on approval, reads the instance again and runs the approved steps only, once', async () => {
    const first = await firstAct();
    const snapshotsBefore = h.callsOf('CreateSnapshot').length;
    decide(first.incidentId, 'approve');
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    expect(resumed.status).toBe('resumed');
    const report = (resumed as { report: Report }).report;
    expect(report.approval).toMatchObject({ status: 'approved', planHash: first.approval!.planHash, decision: { by: 'arn:aws:iam::111111111111:user/alice', channel: 'cli' } });
    expect(moves().map((m) => m.NetworkInterfaceId)).toEqual([PRIMARY_ENI, SECONDARY_ENI, PRIMARY_ENI, SECONDARY_ENI]);
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) expect(status(report, `isolate:${eni}`)).toBe('done');
    // The first act's snapshots are reported, not taken again.
    expect(h.callsOf('CreateSnapshot')).toHaveLength(snapshotsBefore);
    // The incident takes the final report, only while it waits.
    const final = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
    expect(final!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'changes-done' });
    expect(published().at(-1)!.Subject).toContain('[GuardDuty IR DONE]');
    // A second event for the same decision finds the request taken.
    const again = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    expect(again).toMatchObject({ status: 'nothing-to-do' });
    expect(moves()).toHaveLength(4);
  });

  describe('a resume that fails or crashes is taken again (a lease), and acts once', () => {
    const approvalItem = (incidentId: string) => items.get(`approval#${incidentId}`)!;
    const retried = (at: Date, invocationId: string): ResumeOptions => ({ ...resumeOptions(at), invocationId, willRetry: (report) => shouldFailInvocation(report).retry });
    const isolations = () => moves().filter((m) => (m.Groups as string[]).includes(CREATED_ISOLATION_SG) || (m.Groups as string[]).includes(ISOLATION_SG_A));

    it('a transient EC2 error mid-way: the invocation fails, keeps the incident awaiting, gives the lease back; its retry completes the isolation once, and closes the request', async () => {
      const first = await firstAct();
      decide(first.incidentId, 'approve');
      // The secondary interface's moves are throttled: the primary is moved, the secondary is not.
      h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) => (input.NetworkInterfaceId === SECONDARY_ENI ? awsError('RequestLimitExceeded', 'slow down', 503) : undefined));
      const failed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', retried(NOW, 'req-1'));
      const failedReport = (failed as { report: Report }).report;
      expect(shouldFailInvocation(failedReport).retry).toBe(true);
      expect(failedReport.steps.filter((s) => s.status === 'failed').map((s) => s.id)).toContain(`untrack:${SECONDARY_ENI}`);
      // The incident still awaits the resumed act, and the request's lease ends now: the retry may take it.
      const outcome = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
      expect(outcome!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'awaiting-approval' });
      expect(approvalItem(first.incidentId)).toMatchObject({ status: { S: 'approved' }, resumedAt: { S: NOW.toISOString() }, takenBy: { S: 'req-1' }, takenUntil: { S: NOW.toISOString() } });
      expect(approvalItem(first.incidentId).closedAt).toBeUndefined();
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
      expect(h.world.movedTo.get(SECONDARY_ENI)).toBeUndefined();
      const secondaryIsolationsTried = isolations().filter((m) => m.NetworkInterfaceId === SECONDARY_ENI).length;

      // Lambda's retry, a minute later: the same request id.
      h.world.failures.delete('ModifyNetworkInterfaceAttribute');
      const later = new Date(NOW.getTime() + 60_000);
      dynamodb.resetHistory();
      const again = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', retried(later, 'req-1'));
      expect(again.status).toBe('resumed');
      const report = (again as { report: Report }).report;
      for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) expect(status(report, `isolate:${eni}`)).toMatch(/^(done|skipped)$/);
      expect(status(report, `isolate:${SECONDARY_ENI}`)).toBe('done');
      expect(report.approval).toMatchObject({ status: 'approved' });
      // The act runs again as a retried first act does (each move sets the interface's groups; the restore record keeps the
      // first originals): both interfaces end on the isolation group, the secondary by one answered isolation.
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
      expect(h.world.movedTo.get(SECONDARY_ENI)).toEqual([ISOLATION_SG_A]);
      expect(isolations().filter((m) => m.NetworkInterfaceId === SECONDARY_ENI)).toHaveLength(secondaryIsolationsTried + 1);
      const final = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
      expect(final!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'changes-done' });
      // The take again is conditional on the take it read, and the close on its own.
      const takes = updates().filter((u) => u.Key!.pk!.S === `approval#${first.incidentId}`);
      expect(takes.map((u) => [u.UpdateExpression, u.ConditionExpression])).toEqual([
        ['SET resumedAt = :now, takenBy = :by, takenUntil = :until', '#status = :status AND planHash = :hash AND resumedAt = :taken AND attribute_not_exists(closedAt) AND (takenBy = :by OR takenUntil < :now)'],
        ['SET closedAt = :now REMOVE takenUntil', 'resumedAt = :taken AND attribute_not_exists(closedAt)'],
      ]);
      // No deadline given: held for Lambda's longest run (15 min) and the margin (2 min).
      expect(takes[0]!.ExpressionAttributeValues).toMatchObject({ ':taken': { S: NOW.toISOString() }, ':by': { S: 'req-1' }, ':now': { S: later.toISOString() }, ':until': { S: new Date(later.getTime() + 17 * 60_000).toISOString() } });
      expect(approvalItem(first.incidentId)).toMatchObject({ closedAt: { S: later.toISOString() }, resumedAt: { S: later.toISOString() } });
      // Closed for good: a later event, even the same invocation's, does nothing.
      const moved = moves().length;
      for (const id of ['req-1', 'req-2']) {
        expect(await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', retried(new Date(later.getTime() + 3_600_000), id))).toMatchObject({ status: 'nothing-to-do' });
      }
      expect(moves()).toHaveLength(moved);
    });

    it('a crash after the take: another invocation is refused while the lease runs, ir pending says the resume is in flight, then that it failed; after the lease any event takes it again and acts', async () => {
      const first = await firstAct();
      decide(first.incidentId, 'approve');
      const until = new Date(NOW.getTime() + 10 * 60_000);
      // What a crashed invocation leaves: taken, never closed.
      items.set(`approval#${first.incidentId}`, { ...approvalItem(first.incidentId), resumedAt: { S: NOW.toISOString() }, takenBy: { S: 'req-crashed' }, takenUntil: { S: until.toISOString() } });
      dynamodb.on(ScanCommand).callsFake(() => ({ Items: [...items.values()] }));
      const ledger = { dynamodb: new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), table: TABLE };
      const listedNow = await listPendingApprovals(ledger, NOW);
      expect(listedNow.approvals.map((a) => [a.incidentId, a.status, a.resume])).toEqual([[first.incidentId, 'approved', { state: 'in-flight', takenAt: NOW.toISOString(), until: until.toISOString() }]]);
      expect(dynamodb.commandCalls(ScanCommand)[0]!.args[0].input.FilterExpression).toBe(
        'begins_with(pk, :prefix) AND (#status = :pending OR (attribute_exists(resumedAt) AND attribute_exists(takenUntil) AND attribute_not_exists(closedAt)))',
      );
      const during = new Date(NOW.getTime() + 5 * 60_000);
      expect(await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', retried(during, 'req-other'))).toMatchObject({
        status: 'nothing-to-do',
        reason: `the request is being resumed by another invocation (taken at ${NOW.toISOString()}, until ${until.toISOString()})`,
      });
      expect(moves()).toEqual([]);
      const after = new Date(until.getTime() + 1000);
      expect((await listPendingApprovals(ledger, after)).approvals[0]!.resume).toEqual({ state: 'lease-expired', takenAt: NOW.toISOString(), until: until.toISOString() });
      // The invocation's own deadline (its remaining time): the lease outlives it by the margin.
      const deadlineMs = Date.now() + 5 * 60_000;
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', { ...retried(after, 'req-other'), deadlineMs });
      expect(resumed.status).toBe('resumed');
      const take = updates().find((u) => u.Key!.pk!.S === `approval#${first.incidentId}` && u.UpdateExpression!.startsWith('SET resumedAt'));
      expect(take!.ExpressionAttributeValues![':until']).toEqual({ S: new Date(deadlineMs + 2 * 60_000).toISOString() });
      expect(moves().map((m) => m.NetworkInterfaceId)).toEqual([PRIMARY_ENI, SECONDARY_ENI, PRIMARY_ENI, SECONDARY_ENI]);
      expect(approvalItem(first.incidentId)).toMatchObject({ takenBy: { S: 'req-other' }, closedAt: { S: after.toISOString() } });
      // Closed: not a resume in flight any more (the Scan's filter, above, leaves it out).
      expect((await listPendingApprovals(ledger, after)).approvals[0]!.resume).toBeUndefined();
    });

    it('a deadline take (onTimeout act) that crashed is taken again after its lease, as the same timed-out decision; a request taken before leases existed is never taken again', async () => {
      const first = await firstAct('act');
      const deadline = new Date(NOW.getTime() + WAIT_MS + 1000);
      const until = new Date(deadline.getTime() + 60_000);
      items.set(`approval#${first.incidentId}`, { ...approvalItem(first.incidentId), status: { S: 'expired' }, resumedAt: { S: deadline.toISOString() }, takenBy: { S: 'req-crashed' }, takenUntil: { S: until.toISOString() } });
      const after = new Date(until.getTime() + 1000);
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', retried(after, 'req-2'));
      expect((resumed as { report: Report }).report.approval).toMatchObject({ status: 'timed-out-acted' });
      expect(moves()).toHaveLength(4);
      const take = updates().find((u) => u.Key!.pk!.S === `approval#${first.incidentId}` && u.UpdateExpression!.startsWith('SET resumedAt'));
      // Already expired by the first take: not marked again, and taken only as expired.
      expect(take!.UpdateExpression).toBe('SET resumedAt = :now, takenBy = :by, takenUntil = :until');
      expect(take!.ExpressionAttributeValues![':status']).toEqual({ S: 'expired' });

      const legacy = await firstAct();
      decide(legacy.incidentId, 'approve');
      items.set(`approval#${legacy.incidentId}`, { ...approvalItem(legacy.incidentId), resumedAt: { S: NOW.toISOString() } });
      expect(await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: legacy.incidentId }, 'contain-instance', retried(after, 'req-3'))).toMatchObject({ status: 'nothing-to-do' });
      expect(moves()).toHaveLength(4);
    });
  });

  it('reports every step of both acts once, in plan order: the first act\'s steps the new plan lacks too', async () => {
    // No responder group yet: the first act creates them (their class is not held here); read again, they are found, not created.
    h.world.responderGroups = [];
    const first = await firstAct();
    const firstIds = first.steps.map((s) => s.id);
    h.world.responderGroups = [responderGroup(CREATED_UNTRACK_SG, VPC_A, 'untrack'), responderGroup(CREATED_ISOLATION_SG, VPC_A, 'isolation')];
    decide(first.incidentId, 'approve');
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    const report = (resumed as { report: Report }).report;
    // Exactly the first act's steps, each once, in the first act's order (the notification and the evidence are the second act's).
    expect(report.steps.map((s) => s.id)).toEqual(firstIds);
    expect(h.callsOf('CreateSecurityGroup')).toHaveLength(2);
    const created = ['create-untrack-sg', 'create-isolation-sg'].map((prefix) => report.steps.find((s) => s.id === `${prefix}:${VPC_A}`)!);
    for (const step of created) expect(step).toMatchObject({ status: 'done', why: FIRST_ACT_ONLY_WHY, detail: expect.stringContaining('created sg-') });
    expect(report.steps.find((s) => s.id === 'approval:request')).toMatchObject({ status: 'done', detail: expect.stringContaining(`decision requested on plan ${first.approval!.planHash}`) });
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) expect(status(report, `isolate:${eni}`)).toBe('done');
    expect(report.summary).toEqual({ done: report.steps.filter((s) => s.status === 'done').length, skipped: report.steps.filter((s) => s.status === 'skipped').length, failed: 0 });
    // The notification tells the whole story: the groups the first act created are among what changed, with their real ids.
    const message = published().at(-1)!.Message!;
    const changed = message.slice(message.indexOf('What changed'));
    expect(changed).toContain(CREATED_UNTRACK_SG);
    expect(changed).toContain(CREATED_ISOLATION_SG);
    for (const title of created.map((s) => s.title)) expect(changed).toContain(title);
  });

  it('asks again, changing nothing, when the instance changed so that the plan widens', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    // Since the approval, the primary interface gained a security group: its restore step's parameters differ.
    const eni = h.world.instance!.NetworkInterfaces!.find((n) => n.NetworkInterfaceId === PRIMARY_ENI)!;
    eni.Groups = [...eni.Groups!, { GroupId: 'sg-0new0000000000001' }];
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    const report = (resumed as { report: Report }).report;
    expect(moves()).toEqual([]);
    expect(report.approval).toMatchObject({ status: 'asked-again' });
    expect(report.approval!.planHash).not.toBe(first.approval!.planHash);
    expect(report.approval!.detail).toContain(`restore:${PRIMARY_ENI}`);
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ status: { S: 'pending' }, planHash: { S: report.approval!.planHash } });
    expect(published().at(-1)!.Subject).toContain('[GuardDuty IR AWAITING APPROVAL]');
  });

  describe('an ENI an earlier attempt left on the allow-all group', () => {
    /** What EC2 shows once the first act closed it (this world's DescribeInstances does not follow the moves by itself). */
    function showClosed(): void {
      const instance = h.world.instance!;
      h.world.instance = {
        ...instance,
        NetworkInterfaces: (instance.NetworkInterfaces ?? []).map((eni) => (eni.NetworkInterfaceId === PRIMARY_ENI ? { ...eni, Groups: [{ GroupId: ISOLATION_SG_A }] } : eni)),
      };
    }

    beforeEach(() => {
      const instance = h.world.instance!;
      h.world.instance = {
        ...instance,
        NetworkInterfaces: (instance.NetworkInterfaces ?? []).map((eni) => (eni.NetworkInterfaceId === PRIMARY_ENI ? { ...eni, Groups: [{ GroupId: UNTRACK_SG_A }] } : eni)),
      };
    });

    it('is closed on the isolation group in the first act, not left open for the wait; approved, the resumed act finds the plan it approved and isolates the rest', async () => {
      const first = await firstAct();
      expect(first.approval?.status).toBe('awaiting');
      expect(moves()).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
      expect(first.steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
      // The close is part of what waits for the decision (and of its hash): the resumed plan, made again, matches it.
      expect(first.approval?.steps).toContain(`restore:${PRIMARY_ENI}`);
      showClosed();
      decide(first.incidentId, 'approve');
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      expect(resumed.status).toBe('resumed');
      const report = (resumed as { report: Report }).report;
      expect(report.approval).toMatchObject({ status: 'approved', planHash: first.approval!.planHash });
      // The closed ENI is not moved again (never back through the allow-all group); the other takes the two-step swap.
      expect(moves().slice(1).map((m) => m.NetworkInterfaceId)).toEqual([SECONDARY_ENI, SECONDARY_ENI]);
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    });

    it('its close failed in the first act (throttled past every retry), then denied: the close runs again at the decision, never leaving it on the allow-all group', async () => {
      h.world.failures.set('ModifyNetworkInterfaceAttribute', awsError('RequestLimitExceeded', 'slow down', 503));
      const first = await firstAct();
      expect(first.steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'RequestLimitExceeded' } });
      expect(h.world.movedTo.get(PRIMARY_ENI)).toBeUndefined();
      h.world.failures.delete('ModifyNetworkInterfaceAttribute');
      decide(first.incidentId, 'deny');
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      const report = (resumed as { report: Report }).report;
      expect(report.approval).toMatchObject({ status: 'denied' });
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
      const restore = report.steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)!;
      expect(restore).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
      expect(restore.error?.message).toContain('this response is blocked (approval denied)');
      // Only the isolation group, for that one ENI; the other ENI, denied, is not moved.
      expect(moves().filter((m) => (m.Groups as string[])[0] !== undefined).map((m) => [m.NetworkInterfaceId, m.Groups])).toEqual(
        expect.arrayContaining([[PRIMARY_ENI, [ISOLATION_SG_A]]]),
      );
      expect(moves().some((m) => m.NetworkInterfaceId === SECONDARY_ENI)).toBe(false);
    });

    it('its close failed in the first act; approved, but GuardDuty cannot confirm the finding at resume: the resumed act, holding the decision, still closes it', async () => {
      h.world.failures.set('ModifyNetworkInterfaceAttribute', awsError('RequestLimitExceeded', 'slow down', 503));
      const first = await firstAct();
      h.world.failures.delete('ModifyNetworkInterfaceAttribute');
      const triedBefore = moves().length;
      decide(first.incidentId, 'approve');
      guardDutyThrottled();
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      const report = (resumed as { report: Report }).report;
      expect(report.blockedBy).toEqual(['confirmation-unavailable']);
      // Only the close: the approved isolation of the other ENI waits for a confirmed finding.
      expect(moves().slice(triedBefore)).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
      expect(report.steps.find((s) => s.id === `restore:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
    });

    it('closed in the first act, then denied: `ir release` sees a change made before the wait (the close), not "nothing was changed"', async () => {
      const first = await firstAct();
      const approvalItem = items.get(`approval#${first.incidentId}`)!;
      expect(JSON.parse(approvalItem.state!.S!).firstAct.changed).toContain(`restore:${PRIMARY_ENI}`);
    });

    it('denied: it stays closed on the isolation group, never on the allow-all group', async () => {
      const first = await firstAct();
      showClosed();
      decide(first.incidentId, 'deny');
      await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      expect(moves()).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
      expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    });
  });

  it('on denial, changes nothing and says who denied it', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'deny');
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    const report = (resumed as { report: Report }).report;
    expect(moves()).toEqual([]);
    expect(report.approval).toMatchObject({ status: 'denied' });
    expect(report.steps.find((s) => s.id === `isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('denied by arn:aws:iam::111111111111:user/alice (cli): checked with the app team') });
    expect(published().at(-1)!.Message).toContain('DENIED by arn:aws:iam::111111111111:user/alice');
    // The snapshots ran, the moves did not: never DONE.
    expect(published().at(-1)!.Subject).toMatch(/^\[GuardDuty IR DENIED - NOT CONTAINED\] contain-instance: /);
    // Answered (a person decided), never as contained: a later finding about the instance is decided on its own.
    const final = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
    expect(final!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'no-change-needed' });
  });

  it('the deadline does nothing before its time, then stands down as configured, once', async () => {
    const first = await firstAct();
    const early = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    expect(early).toMatchObject({ status: 'nothing-to-do' });
    const late = new Date(NOW.getTime() + WAIT_MS);
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', resumeOptions(late));
    const report = (resumed as { report: Report }).report;
    expect(report.approval).toMatchObject({ status: 'timed-out-stood-down' });
    expect(moves()).toEqual([]);
    expect(published().at(-1)!.Subject).toMatch(/^\[GuardDuty IR STOOD DOWN - NOT CONTAINED\] contain-instance: /);
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ status: { S: 'expired' } });
    // A decision arriving now is refused by the decision path (status no longer pending); another deadline event does nothing.
    expect(await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', resumeOptions(late))).toMatchObject({ status: 'nothing-to-do' });
  });

  it('the deadline acts when the request says so, after reading the instance again; not the invocation’s own setting', async () => {
    const first = await firstAct('act');
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ onTimeout: { S: 'act' } });
    const late = new Date(NOW.getTime() + WAIT_MS + 1000);
    const options = resumeOptions(late);
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', { ...options, approval: { ...options.approval, onTimeout: 'stand-down' } });
    expect((resumed as { report: Report }).report.approval).toMatchObject({ status: 'timed-out-acted' });
    expect(moves()).toHaveLength(4);
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ status: { S: 'expired' } });
    expect(published().at(-1)!.Message).toContain('NO DECISION BY');
  });

  describe('the policy rates the approved moves otherwise when the decision arrives (the tag removed during the wait, the policy changed)', () => {
    const approvedMoves = [
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ];
    const waited = (report: Report) => report.steps.filter((s) => isNetworkMove({ id: s.id } as PlannedStep)).map((s) => s.id);

    for (const now of ['untagged', 'auto'] as const) {
      it(`approved, then rated ${now}: the approved moves are made all the same, exactly as shown`, async () => {
        const first = await firstAct();
        const held = waited(first);
        expect(held.length).toBeGreaterThan(0);
        expect(moves()).toEqual([]);
        decide(first.incidentId, 'approve');
        rating = now;
        const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
        const report = (resumed as { report: Report }).report;
        expect(report.approval).toMatchObject({ status: 'approved', planHash: first.approval!.planHash });
        expect([...report.approval!.steps].sort()).toEqual([...first.approval!.steps].sort());
        expect(moves()).toEqual(approvedMoves);
        for (const id of held) expect(status(report, id)).toBe('done');
        expect(published().at(-1)!.Subject).toContain('[GuardDuty IR DONE]');
      });
    }

    it('no decision by the deadline, onTimeout act, the tag removed meanwhile: the approved moves are made', async () => {
      const first = await firstAct('act');
      rating = 'untagged';
      const late = new Date(NOW.getTime() + WAIT_MS + 1000);
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', resumeOptions(late));
      const report = (resumed as { report: Report }).report;
      expect(report.approval).toMatchObject({ status: 'timed-out-acted' });
      expect([...report.approval!.steps].sort()).toEqual([...first.approval!.steps].sort());
      expect(moves()).toEqual(approvedMoves);
      for (const id of waited(first)) expect(status(report, id)).toBe('done');
    });

    it('denied, then rated auto: nothing is moved, the moves are reported denied', async () => {
      const first = await firstAct();
      decide(first.incidentId, 'deny');
      rating = 'auto';
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      const report = (resumed as { report: Report }).report;
      expect(moves()).toEqual([]);
      for (const id of waited(first)) expect(report.steps.find((s) => s.id === id)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('denied by arn:aws:iam::111111111111:user/alice') });
    });

    it('approved, then rated never: the policy\'s refusal wins; nothing is moved, each move reported skipped with the rule, and the notification says so', async () => {
      const first = await firstAct();
      decide(first.incidentId, 'approve');
      rating = 'never';
      const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
      const report = (resumed as { report: Report }).report;
      expect(moves()).toEqual([]);
      for (const id of waited(first)) expect(report.steps.find((s) => s.id === id)).toMatchObject({ status: 'skipped', reason: 'not made: the approval policy says never (rule no-isolation)' });
      expect(report.approval).toMatchObject({ status: 'approved', detail: expect.stringContaining('not made, the approval policy now says never') });
      expect(published().at(-1)!.Message).toContain('after the resource was read again, except: not made, the approval policy now says never: ');
      expect(published().at(-1)!.Subject).toMatch(/^\[GuardDuty IR POLICY SAYS NEVER - NOT CONTAINED\] contain-instance: /);
    });
  });

  it('escalates once, to the escalation topic, while the request is pending', async () => {
    const ESCALATION = 'arn:aws:sns:us-east-1:111111111111:ir-escalation';
    const first = await firstAct();
    const base = resumeOptions(NOW);
    const options = { ...base, approval: { ...base.approval, escalationTopicArn: ESCALATION, escalationSns: h.clients.sns } };
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      const key = input.Key!.pk!.S!;
      const item = items.get(key)!;
      if (input.UpdateExpression === 'SET escalatedAt = :now') {
        if (item.escalatedAt || item.status?.S !== 'pending') throw conditionFailed();
        items.set(key, { ...item, escalatedAt: input.ExpressionAttributeValues![':now']! });
      }
      return {};
    });
    const escalated = await resumeFromApproval(catalog, { kind: 'approval-escalate', incidentId: first.incidentId }, 'contain-instance', options);
    expect(escalated).toMatchObject({ status: 'escalated', messageId: 'msg-1' });
    const message = published().at(-1)!;
    expect(message.TopicArn).toBe(ESCALATION);
    expect(message.Subject).toContain('[GuardDuty IR ESCALATION]');
    expect(message.Message).toContain(`Plan ${first.approval!.planHash}`);
    expect(message.Message).toContain(`ir approve ${first.incidentId}`);
    const count = published().length;
    expect(await resumeFromApproval(catalog, { kind: 'approval-escalate', incidentId: first.incidentId }, 'contain-instance', options)).toMatchObject({ status: 'nothing-to-do', reason: 'the escalation was already sent' });
    expect(published()).toHaveLength(count);
    expect(moves()).toEqual([]);
  });

  it('a decided event for a request still pending (forged, or early) does nothing', async () => {
    const first = await firstAct();
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', resumeOptions(NOW));
    expect(resumed).toMatchObject({ status: 'nothing-to-do', reason: 'no decision yet, and the deadline has not passed' });
    expect(moves()).toEqual([]);
  });

  it('binds the plan hash to the waiting steps it shows', async () => {
    const report = await firstAct();
    const item = items.get(`approval#${report.incidentId}`)!;
    const state = JSON.parse(item.state!.S!) as { approved: Parameters<typeof planHashOf>[0]; firstAct: { changed: string[] } };
    expect(planHashOf(state.approved)).toBe(report.approval!.planHash);
    // The changes of a governed class the first act made (here the policy holds only the moves): ir release reads them (held-containment.ts).
    expect(state.firstAct.changed).toEqual(report.steps.filter((s) => s.status === 'done' && ['record-original-sgs', 'tag-instance'].includes(s.id)).map((s) => s.id));
    expect(state.firstAct.changed).toHaveLength(2);
  });
});

describe('with no approval settings', () => {
  it('does not make a change that needs approval, and says so', async () => {
    guardDuty.holds(containFinding());
    const report = await respondWith(catalog, containFinding(), { config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW, topicArn: TOPIC });
    expect(moves()).toEqual([]);
    expect(report.approval).toMatchObject({ status: 'cannot-wait' });
    expect(report.steps.find((s) => s.id === `isolate:${PRIMARY_ENI}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('cannot wait') });
  });

  it('a plan with no step needing approval runs as before', async () => {
    guardDuty.holds(containFinding());
    const report = await respondWith({ 'contain-instance': containInstancePlaybook }, containFinding(), { config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW, topicArn: TOPIC, approval: approvalOptions() });
    expect(report.approval).toBeUndefined();
    expect(status(report, `isolate:${PRIMARY_ENI}`)).toBe('done');
    expect(report.steps.some((s) => s.id === 'approval:request')).toBe(false);
    expect(schedules.created).toEqual([]);
  });
});

/*
 * The act a decision or the deadline resumes is held to the blast-radius brake
 * (lambda/respond/resume-brake.ts), as the first act is: a latched brake refuses
 * it and gives the request back to the people; one incident holds one slot.
 */
describe('the resumed act and the blast-radius brake', () => {
  const LATCH = 'brake#latch';
  const slotPuts = () => dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input).filter((i) => i.Item!.pk!.S!.startsWith('brake#slot#'));
  const latchReads = () => dynamodb.commandCalls(GetItemCommand).filter((c) => c.args[0].input.Key!.pk!.S === LATCH);
  const withBrake = (at: Date, maxPerHour = 10): ResumeOptions => ({
    ...resumeOptions(at),
    // The stack's brake (resumeOptions has one too), with the hour's limit the test sets.
    brake: new ContainmentBrake(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), TABLE, maxPerHour, () => at),
  });
  const latchThe = (): void => {
    items.set(LATCH, { pk: { S: LATCH }, engagementId: { S: 'e-1' }, engagedAt: { S: NOW.toISOString() }, incidentId: { S: 'other' }, findingId: { S: 'f-other' }, playbook: { S: 'contain-instance' }, limit: { N: '10' }, reason: { S: 'a flood' } });
  };

  beforeEach(() => {
    // The slots as written (BatchGetItem of the brake), the take and the brake's give-back of an approval item as DynamoDB would.
    dynamodb.on(BatchGetItemCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: { S: string } }[] }> }) => ({
      Responses: { [TABLE]: input.RequestItems[TABLE]!.Keys.map((k) => items.get(k.pk.S)).filter((i) => i !== undefined) },
    }));
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      const key = input.Key!.pk!.S!;
      if (!key.startsWith('approval#')) return {};
      const item = items.get(key);
      const values = input.ExpressionAttributeValues!;
      if (input.UpdateExpression!.startsWith('SET #status = :pending')) {
        if (!item || item.resumedAt?.S !== values[':taken']!.S || item.planHash?.S !== values[':hash']!.S) throw conditionFailed();
        const { resumedAt: _taken, escalatedAt: _escalated, decision, ...rest } = item;
        void _taken;
        void _escalated;
        items.set(key, { ...rest, status: values[':pending']!, onTimeout: values[':standDown']!, brakeHeldAt: values[':now']!, deadline: values[':deadline']!, ...(decision ? { heldDecision: decision } : {}) });
        return {};
      }
      items.set(key, approvalUpdated(item, input));
      return {};
    });
  });

  it('on approval, reads the latch, holds one slot for the incident and acts', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    dynamodb.resetHistory();
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    const report = (resumed as { report: Report }).report;
    expect(report.blockedBy).toEqual([]);
    expect(moves()).toHaveLength(4);
    expect(latchReads()).toHaveLength(1);
    // Exactly one slot written, for this incident: a new one, or the first act's own taken over (never a second).
    expect(slotPuts()).toHaveLength(1);
    expect(slotPuts()[0]!.Item).toMatchObject({ incidentId: { S: first.incidentId }, findingId: { S: first.findingId }, playbook: { S: 'contain-instance' } });
    expect(report.reads.find((r) => r.id.startsWith('read:brake') || r.title.includes('blast-radius brake'))).toMatchObject({ status: 'done' });
    // The slot is kept: the approved changes changed the account.
    expect(dynamodb.commandCalls(DeleteItemCommand).filter((c) => c.args[0].input.Key!.pk!.S!.startsWith('brake#slot#'))).toEqual([]);
  });

  it('takes over the slot the incident’s first act holds instead of counting it twice', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    // The first act's slot, still in the hour (its snapshots changed the account: it kept it).
    const own = [...items.entries()].find(([key, item]) => key.startsWith('brake#slot#') && item.incidentId?.S === first.incidentId);
    expect(own).toBeDefined();
    dynamodb.resetHistory();
    await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    expect(slotPuts()).toEqual([expect.objectContaining({ ConditionExpression: 'reservationId = :previous', ExpressionAttributeValues: { ':previous': own![1].reservationId } })]);
    expect(slotPuts()[0]!.Item!.pk).toEqual({ S: own![0] });
    expect(moves()).toHaveLength(4);
  });

  it('reserves a slot of its own when the first act’s has aged out of the hour (a decision more than an hour later)', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    const [key, own] = [...items.entries()].find(([k, item]) => k.startsWith('brake#slot#') && item.incidentId?.S === first.incidentId)!;
    items.set(key, { ...own, reservedAt: { N: String(NOW.getTime() - 2 * BRAKE_WINDOW_MS) } });
    dynamodb.resetHistory();
    await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    expect(slotPuts()).toEqual([expect.objectContaining({ ConditionExpression: 'attribute_not_exists(pk) OR reservedAt < :hourAgo', ExpressionAttributeValues: { ':hourAgo': { N: String(NOW.getTime() - BRAKE_WINDOW_MS) } } })]);
    expect(slotPuts()[0]!.Item).toMatchObject({ incidentId: { S: first.incidentId }, reservedAt: { N: String(NOW.getTime()) } });
    expect(moves()).toHaveLength(4);
  });

  it('refuses while the brake is latched: nothing changed, BRAKE ON, the request pending again; a new decision after the release acts', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    latchThe();
    // Even the incident's own slot of the hour (its first act's) does not let the approved changes through a latched brake.
    expect([...items.values()].some((item) => item.pk!.S!.startsWith('brake#slot#') && item.incidentId?.S === first.incidentId)).toBe(true);
    dynamodb.resetHistory();
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    const report = (resumed as { report: Report }).report;
    expect(moves()).toEqual([]);
    expect(slotPuts()).toEqual([]);
    expect(report.blockedBy).toContain('blast-radius-brake');
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) expect(report.steps.find((s) => s.id === `isolate:${eni}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('blast-radius') });
    expect(report.approval).toMatchObject({ status: 'awaiting', planHash: first.approval!.planHash, decision: { by: 'arn:aws:iam::111111111111:user/alice' } });
    expect(published().at(-1)!.Subject).toContain('[GuardDuty IR BRAKE ON - NOT CONTAINED]');
    // Given back to the people, the refused decision kept; the incident still awaits approval (its outcome written).
    const item = items.get(`approval#${first.incidentId}`)!;
    expect(item).toMatchObject({ status: { S: 'pending' }, onTimeout: { S: 'stand-down' }, heldDecision: { M: expect.objectContaining({ by: { S: 'arn:aws:iam::111111111111:user/alice' } }) } });
    expect(item.resumedAt).toBeUndefined();
    expect(item.decision).toBeUndefined();
    const outcome = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
    expect(outcome!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'awaiting-approval' });
    // Its new deadline has not come: a deadline event does nothing.
    const early = new Date(NOW.getTime() + WAIT_MS - 60_000);
    expect(await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', withBrake(early))).toMatchObject({ status: 'nothing-to-do' });
    // `ir brake release`, then a new decision: the approved changes run.
    items.delete(LATCH);
    decide(first.incidentId, 'approve');
    const again = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    expect((again as { report: Report }).report.approval).toMatchObject({ status: 'approved' });
    expect(moves()).toHaveLength(4);
  });

  it('gives the held request a new wait: a new deadline and escalation, scheduled through the same writer, shown by ir pending; at that deadline it stands down', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    latchThe();
    const key = `approval#${first.incidentId}`;
    // The first wait's escalation was sent: the new wait's must be sent again.
    items.set(key, { ...items.get(key)!, escalatedAt: { S: NOW.toISOString() } });
    schedules.created.length = 0;
    schedules.deleted.length = 0;
    const heldAt = new Date(NOW.getTime() + 40 * 60 * 1000);
    const ESCALATION = 'arn:aws:sns:us-east-1:111111111111:ir-escalation';
    const base = withBrake(heldAt);
    const options: ResumeOptions = { ...base, approval: { ...base.approval, escalationTopicArn: ESCALATION, escalationSns: h.clients.sns } };
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', options);
    const report = (resumed as { report: Report }).report;
    const deadline = new Date(heldAt.getTime() + WAIT_MS);
    const escalateAt = new Date(deadline.getTime() - 15 * 60 * 1000);
    expect(moves()).toEqual([]);
    expect(report.approval).toMatchObject({ status: 'awaiting', deadline: deadline.toISOString(), onTimeout: 'stand-down' });
    expect(report.approval!.detail).toContain(`the request waits for a new decision until ${deadline.toISOString()} (then stand down; schedules ir-approval-escalate-`);
    // The escalation and the deadline, written again (each replacing any schedule of its name) through the wait's writer.
    const input = (kind: string) => JSON.stringify({ kind, incidentId: first.incidentId });
    expect(schedules.created.map((c) => [c.GroupName, c.ScheduleExpression, c.Target.Input, c.Target.Arn, c.Target.RoleArn, c.ActionAfterCompletion])).toEqual([
      [GROUP, `at(${escalateAt.toISOString().slice(0, 19)})`, input('approval-escalate'), FUNCTION_ARN, SCHEDULER_ROLE, 'DELETE'],
      [GROUP, `at(${deadline.toISOString().slice(0, 19)})`, input('approval-deadline'), FUNCTION_ARN, SCHEDULER_ROLE, 'DELETE'],
    ]);
    expect(schedules.deleted).toEqual(schedules.created.map((c) => c.Name));
    const item = items.get(key)!;
    expect(item).toMatchObject({ status: { S: 'pending' }, deadline: { S: deadline.toISOString() }, onTimeout: { S: 'stand-down' }, brakeHeldAt: { S: heldAt.toISOString() } });
    expect(item.escalatedAt).toBeUndefined();
    // `ir pending` (the decision function's list) shows the new deadline.
    dynamodb.on(ScanCommand).callsFake(() => ({ Items: [...items.values()] }));
    const listed = await listPendingApprovals({ dynamodb: new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }), table: TABLE });
    expect(listed.approvals.map((a) => [a.incidentId, a.status, a.deadline, a.onTimeout])).toEqual([[first.incidentId, 'pending', deadline.toISOString(), 'stand-down']]);
    // The first wait's deadline is no longer the request's: its event does nothing.
    expect(await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', withBrake(new Date(NOW.getTime() + WAIT_MS + 1000)))).toMatchObject({ status: 'nothing-to-do' });
    // Nobody decides again: at the new deadline the responder stands down, never acts (even with the brake released).
    items.delete(LATCH);
    const late = new Date(deadline.getTime() + 1000);
    const stood = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', withBrake(late));
    const stoodReport = (stood as { report: Report }).report;
    expect(stoodReport.approval).toMatchObject({ status: 'timed-out-stood-down', deadline: deadline.toISOString() });
    expect(stoodReport.steps.find((s) => s.id === `isolate:${PRIMARY_ENI}`)).toMatchObject({
      status: 'skipped',
      reason: `no decision by ${deadline.toISOString()}: the blast-radius brake had held the approved changes, and nobody decided again`,
    });
    expect(moves()).toEqual([]);
  });

  it('a held request with no schedule group is not given back: the report says why', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    latchThe();
    const base = withBrake(NOW);
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', { ...base, approval: { ...base.approval, schedules: undefined } });
    const report = (resumed as { report: Report }).report;
    expect(moves()).toEqual([]);
    expect(report.approval!.detail).toContain('the request could not be given back (no schedule group to bound a new wait): the incident is left open, and the next delivery of the finding asks again');
    notGivenBack(first.incidentId, report);
  });

  it('a held request whose new schedules cannot be written is not given back: nothing waits, and the report and the incident say so', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    latchThe();
    const base = withBrake(NOW);
    const failing: ScheduleWriter = { create: () => Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: {} })), delete: () => Promise.resolve() };
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', { ...base, approval: { ...base.approval, schedules: { ...base.approval.schedules!, writer: failing } } });
    const report = (resumed as { report: Report }).report;
    expect(moves()).toEqual([]);
    expect(report.approval!.detail).toContain('its new schedules could not be written: ThrottlingException');
    notGivenBack(first.incidentId, report);
  });

  /** Not given back: said as changes not made ('cannot-wait', no AWAITING), the incident left open (the next delivery asks again), the request closed. */
  function notGivenBack(incidentId: string, report: Report): void {
    expect(report.approval).toMatchObject({ status: 'cannot-wait' });
    expect(published().at(-1)!.Subject).not.toContain('AWAITING APPROVAL');
    const outcome = updates().find((u) => u.ConditionExpression === 'answerKind = :awaiting');
    expect(outcome!.UpdateExpression).toMatch(/ REMOVE respondedLevel, respondedAt, answerKind$/);
    expect(outcome!.ExpressionAttributeValues![':answerKind']).toBeUndefined();
    expect(items.get(`approval#${incidentId}`)).toMatchObject({ status: { S: 'approved' }, resumedAt: { S: NOW.toISOString() }, closedAt: { S: NOW.toISOString() } });
    // The next delivery's first act may ask again: the request is no longer pending.
    expect(items.get(`approval#${incidentId}`)!.status!.S).not.toBe('pending');
  }

  it('a held request not given back: the next delivery of the finding, after `ir brake release`, asks again for real', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    latchThe();
    const base = withBrake(NOW);
    await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', { ...base, approval: { ...base.approval, schedules: undefined } });
    items.delete(LATCH);
    const later = new Date(NOW.getTime() + 60_000);
    const again = await firstAct('stand-down', { now: later });
    expect(again.incidentId).toBe(first.incidentId);
    expect(again.approval).toMatchObject({ status: 'awaiting' });
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ status: { S: 'pending' }, requestedAt: { S: later.toISOString() } });
    expect(items.get(`approval#${first.incidentId}`)!.closedAt).toBeUndefined();
  });

  it('the hour full: latches the brake and acts on nothing', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    const slot0 = slotKey(0).pk!.S!;
    items.set(slot0, { pk: { S: slot0 }, reservedAt: { N: String(NOW.getTime() - 60_000) }, reservationId: { S: 'r-other' }, incidentId: { S: 'other' }, findingId: { S: 'f-other' }, playbook: { S: 'contain-instance' } });
    dynamodb.resetHistory();
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW, 1));
    expect(moves()).toEqual([]);
    expect((resumed as { report: Report }).report.blockedBy).toContain('blast-radius-brake');
    expect(items.get(LATCH)).toMatchObject({ incidentId: { S: first.incidentId } });
  });

  it('no decision by the deadline, onTimeout act, brake latched: nothing changed, the request waits for a person', async () => {
    const first = await firstAct('act');
    latchThe();
    const late = new Date(NOW.getTime() + WAIT_MS + 1000);
    const resumed = await resumeFromApproval(catalog, { kind: 'approval-deadline', incidentId: first.incidentId }, 'contain-instance', withBrake(late));
    expect(moves()).toEqual([]);
    expect((resumed as { report: Report }).report.blockedBy).toContain('blast-radius-brake');
    expect(items.get(`approval#${first.incidentId}`)).toMatchObject({ status: { S: 'pending' }, onTimeout: { S: 'stand-down' } });
  });

  it('a run without the brake takes nothing and changes nothing', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'approve');
    const { brake: _brake, ...withoutBrake } = resumeOptions(NOW);
    void _brake;
    await expect(resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withoutBrake)).rejects.toThrow('blast-radius brake');
    expect(items.get(`approval#${first.incidentId}`)!.resumedAt).toBeUndefined();
    expect(moves()).toEqual([]);
  });

  it('a denial takes no slot', async () => {
    const first = await firstAct();
    decide(first.incidentId, 'deny');
    dynamodb.resetHistory();
    await resumeFromApproval(catalog, { kind: 'approval-decided', incidentId: first.incidentId }, 'contain-instance', withBrake(NOW));
    expect(slotPuts()).toEqual([]);
    expect(latchReads()).toEqual([]);
  });
});
