import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyDecision } from '../../../lambda/approval/apply-decision';
import { recordDecision, type Decision } from '../../../lambda/approval/decisions';
import { conditionFailure, INCIDENT, OTHER_PLAN_HASH, PLAN_HASH, pendingItem, TABLE, testDependencies } from './support';

/*
 * recordDecision (lambda/approval/decisions.ts): the exact conditional
 * UpdateItem, and each refusal read from the item as it was. applyDecision:
 * the evidence object and the playbook's asynchronous resumption, after and
 * only after a recorded decision.
 */

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);

beforeEach(() => {
  dynamodb.reset();
  s3.reset();
  lambda.reset();
});

const DECISION: Decision = {
  incidentId: INCIDENT,
  planHash: PLAN_HASH,
  decision: 'approve',
  by: 'arn:aws:sts::123456789012:assumed-role/Responder/alice',
  channel: 'cli',
  at: '2026-12-06T12:00:00.000Z',
};

function decidedItem(decision: Decision = DECISION) {
  return pendingItem({
    status: { S: decision.decision === 'approve' ? 'approved' : 'denied' },
    decision: { M: { decision: { S: decision.decision }, by: { S: decision.by }, at: { S: decision.at }, channel: { S: decision.channel }, planHash: { S: decision.planHash } } },
  });
}

describe('recordDecision', () => {
  it('sends one UpdateItem conditioned on a pending status and the plan hash shown', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: decidedItem() });
    const deps = testDependencies();
    await expect(recordDecision(deps.ledger, { ...DECISION, reason: 'looks right' })).resolves.toEqual({ status: 'recorded' });
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `approval#${INCIDENT}` } },
      UpdateExpression: 'SET #status = :decided, #decision = :decision',
      ConditionExpression: '#status = :pending AND #planHash = :shown AND #deadline > :now',
      ExpressionAttributeNames: { '#status': 'status', '#planHash': 'planHash', '#decision': 'decision', '#deadline': 'deadline' },
      ExpressionAttributeValues: {
        ':decided': { S: 'approved' },
        ':pending': { S: 'pending' },
        ':shown': { S: PLAN_HASH },
        ':now': { S: DECISION.at },
        ':decision': {
          M: {
            decision: { S: 'approve' },
            by: { S: DECISION.by },
            at: { S: DECISION.at },
            channel: { S: 'cli' },
            reason: { S: 'looks right' },
            planHash: { S: PLAN_HASH },
          },
        },
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('writes a denial as status denied, without a reason attribute when none is given', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: decidedItem({ ...DECISION, decision: 'deny' }) });
    await recordDecision(testDependencies().ledger, { ...DECISION, decision: 'deny' });
    const values = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues!;
    expect(values[':decided']).toEqual({ S: 'denied' });
    expect(values[':decision']!.M).not.toHaveProperty('reason');
  });

  it('refuses no-pending when there is no approval item', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailure());
    await expect(recordDecision(testDependencies().ledger, DECISION)).resolves.toEqual({
      status: 'refused',
      reason: 'no-pending',
      detail: `incident ${INCIDENT} has no response waiting for approval`,
    });
  });

  it('refuses already-decided, naming who decided, when, and through which channel', async () => {
    const earlier = { ...DECISION, by: 'arn:aws:iam::123456789012:user/bob', channel: 'email' as const, decision: 'deny' as const };
    dynamodb.on(UpdateItemCommand).rejects(conditionFailure(decidedItem(earlier)));
    const result = await recordDecision(testDependencies().ledger, DECISION);
    expect(result).toEqual({
      status: 'refused',
      reason: 'already-decided',
      detail: `incident ${INCIDENT} is no longer waiting: it was denied by arn:aws:iam::123456789012:user/bob at ${DECISION.at} (email); nothing changed`,
    });
  });

  it('refuses plan-changed when the item is pending on another plan', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailure(pendingItem({ planHash: { S: OTHER_PLAN_HASH } })));
    const result = await recordDecision(testDependencies().ledger, DECISION);
    expect(result).toMatchObject({ status: 'refused', reason: 'plan-changed' });
    expect(result.status === 'refused' && result.detail).toContain('changed since it was shown');
  });

  it('compares the deadline with the decision time in the stored form (toISOString), whatever ISO form the time came in', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: decidedItem() });
    await recordDecision(testDependencies().ledger, { ...DECISION, at: '2026-12-06T13:59:59+01:00' });
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':now']).toEqual({ S: '2026-12-06T12:59:59.000Z' });
    await expect(recordDecision(testDependencies().ledger, { ...DECISION, at: 'yesterday' })).rejects.toThrow(/not an ISO 8601 instant/);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('refuses expired when the item is still pending on the plan shown but its deadline has passed, whatever the plan', async () => {
    for (const planHash of [PLAN_HASH, OTHER_PLAN_HASH]) {
      dynamodb.reset();
      dynamodb.on(UpdateItemCommand).rejects(conditionFailure(pendingItem({ planHash: { S: planHash }, deadline: { S: '2026-12-06T12:00:00.000Z' } })));
      await expect(recordDecision(testDependencies().ledger, DECISION)).resolves.toEqual({
        status: 'refused',
        reason: 'expired',
        detail: `the decision time on incident ${INCIDENT} is over (deadline 2026-12-06T12:00:00.000Z, decision at ${DECISION.at}): the deadline decides, as configured (act or stand down); nothing changed`,
      });
    }
  });

  it('a request the brake gave back is held to its new deadline like any other: after it, expired', async () => {
    dynamodb.on(UpdateItemCommand).rejects(
      conditionFailure(pendingItem({ planHash: { S: OTHER_PLAN_HASH }, deadline: { S: '2026-12-06T12:00:00.000Z' }, brakeHeldAt: { S: '2026-12-06T11:59:00.000Z' } })),
    );
    await expect(recordDecision(testDependencies().ledger, DECISION)).resolves.toMatchObject({ status: 'refused', reason: 'expired' });
  });

  it('throws any other failure, with its AWS code', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(recordDecision(testDependencies().ledger, DECISION)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
});

describe('applyDecision', () => {
  it('keeps the decision in the evidence bucket under the incident folder and resumes the playbook asynchronously', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: decidedItem() });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const result = await applyDecision(testDependencies(), DECISION);
    expect(result).toMatchObject({ status: 'recorded', evidence: { status: 'done' }, resume: { status: 'done' } });

    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'evidence-bucket',
      Key: 'incidents/123456789012/us-east-1/instance_123456789012_us-east-1_i-0abc/f-1/decisions/2026-12-06T12_00_00.000Z-approve.json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/evidence',
    });
    expect(JSON.parse(put.Body as string)).toMatchObject({ incidentId: INCIDENT, decision: 'approve', by: DECISION.by, channel: 'cli', planHash: PLAN_HASH });

    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.FunctionName).toBe('ir-contain-instance');
    expect(invoke.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual({ kind: 'approval-decided', incidentId: INCIDENT });
  });

  it('keeps what the channel was given of the decision\'s origin, in the ledger and the evidence, exactly', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: decidedItem() });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const origin = { slackWorkspaceId: 'T0123', slackChannelId: 'C0456', person: 'not given by AWS: no caller' };
    await applyDecision(testDependencies(), { ...DECISION, channel: 'chat', by: 'a member of chat channel Slack C0456', origin });
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M!.origin).toEqual({
      M: { slackWorkspaceId: { S: 'T0123' }, slackChannelId: { S: 'C0456' }, person: { S: 'not given by AWS: no caller' } },
    });
    expect(JSON.parse(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body as string)).toEqual({
      incidentId: INCIDENT,
      decision: 'approve',
      by: 'a member of chat channel Slack C0456',
      at: DECISION.at,
      channel: 'chat',
      planHash: PLAN_HASH,
      origin,
      plan: expect.anything(),
      findingId: 'f-1',
      playbook: 'contain-instance',
      requestedAt: '2026-12-06T11:00:00Z',
      deadline: '2026-12-06T13:00:00.000Z',
    });
  });

  it('writes nothing else and wakes nobody when the decision is refused', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailure(decidedItem()));
    const result = await applyDecision(testDependencies(), DECISION);
    expect(result).toMatchObject({ status: 'refused', reason: 'already-decided' });
    expect(s3.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
  });

  it('reports a failed evidence write and an unknown playbook as failed, keeping the decision', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { ...decidedItem(), playbook: { S: 'not-ours' } } });
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const result = await applyDecision(testDependencies(), DECISION);
    expect(result).toMatchObject({
      status: 'recorded',
      evidence: { status: 'failed', code: 'AccessDenied' },
      resume: { status: 'failed', code: 'UnknownPlaybookError' },
    });
    expect(lambda.calls()).toHaveLength(0);
  });
});
