import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { PLANNING_READ_ID } from '../../../lambda/respond/planning-failure';
import { respond } from '../../../lambda/respond/respond';
import { startConfirmation } from '../../../lambda/confirm/confirmation';
import { containInstancePlaybook } from '../../../lambda/playbooks/contain-instance/playbook';
import { respondWith } from '../../../lambda/respond/respond-with';
import { StagedPlanningError } from '../../../lambda/respond/staged';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { awsError, ISOLATION_SG_A, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * Staged discovery (lambda/respond/staged.ts): isolation starts before the
 * rest of the plan is made. When planning then throws, the isolation already
 * changing the account is waited for and reported in the error the
 * invocation fails with, never left running unobserved.
 */

const h = useContainHarness();
const guardDuty = useGuardDuty();

const PLANNING_BUG = 'planning bug (test)';
const failingPlanning = {
  'contain-instance': {
    ...containInstancePlaybook,
    plan: () => {
      throw new Error(PLANNING_BUG);
    },
  },
};

function respondWithFailingPlanning() {
  return respondWith(failingPlanning, containFinding(), {
    config: enforceConfig(),
    clients: h.clients,
    confirmFinding: startConfirmation,
    dryRun: false, responder: RESPONDER, now: () => NOW });
}

async function planningFailure(): Promise<StagedPlanningError> {
  const error: unknown = await respondWithFailingPlanning().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StagedPlanningError)) throw error;
  return error as StagedPlanningError;
}

describe('planning that throws after isolation started', () => {
  it('waits for the isolation and names what each of its steps did', async () => {
    guardDuty.holds(containFinding());
    const error = await planningFailure();
    // Isolation ran to its end before the error: each ENI went through the untrack group onto the isolation group.
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
      { NetworkInterfaceId: SECONDARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(error.firstOutcomes.map((o) => [o.id, o.status])).toEqual([
      ['record-restore:network', 'done'],
      ['record-original-sgs', 'done'],
      [`untrack:${PRIMARY_ENI}`, 'done'],
      [`untrack:${SECONDARY_ENI}`, 'done'],
      [`isolate:${PRIMARY_ENI}`, 'done'],
      [`isolate:${SECONDARY_ENI}`, 'done'],
      [`restore:${PRIMARY_ENI}`, 'skipped'],
      [`restore:${SECONDARY_ENI}`, 'skipped'],
    ]);
    expect(error.exposed).toEqual([]);
    expect(error.message).toContain(`planning failed after the first steps had started (${PLANNING_BUG}): record-restore:network done, record-original-sgs done, untrack:${PRIMARY_ENI} done`);
    expect(error.message).not.toContain('allow-all');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports the ENIs the isolation left on the allow-all untrack group', async () => {
    guardDuty.holds(containFinding());
    // Every move but the one onto the untrack group fails (isolation, then the restore): the ENIs stay on the untrack group.
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      (input.Groups as string[] | undefined)?.includes(UNTRACK_SG_A) ? undefined : awsError('UnauthorizedOperation', 'denied', 403),
    );
    const error = await planningFailure();
    expect(error.exposed).toEqual([PRIMARY_ENI, SECONDARY_ENI]);
    expect(error.message).toContain(`isolate:${PRIMARY_ENI} failed (UnauthorizedOperation)`);
    expect(error.message).toContain(`; ${PRIMARY_ENI}, ${SECONDARY_ENI} may be left on the allow-all security group (more exposed than before)`);
  });
});

describe('planning that throws after isolation started, with the incident ledger', () => {
  const TABLE = 'ledger-table';
  const dynamodb = mockClient(DynamoDBClient);
  /** The incident's record as far as the claim goes: held by a delivery's claim, answered. */
  let incident: { held: boolean; answered: boolean };

  function ledgerOptions(): LedgerOptions {
    const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
    return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
  }

  const claimWrites = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter((i) => i.ConditionExpression?.startsWith('attribute_not_exists(pk)'));
  const outcomeWrites = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter((i) => i.ConditionExpression === 'claimToken = :token');

  beforeEach(() => {
    incident = { held: false, answered: false };
    dynamodb.reset();
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(DeleteItemCommand).resolves({});
    // The claim's condition, reduced to this table of one incident: no live claim and not answered.
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) {
        if (incident.held || incident.answered) {
          throw Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), {
            Item: { pk: input.Key!.pk, leaseUntil: { N: String(NOW.getTime() + 75_000) }, claimLevel: { N: '2' }, claimToken: { S: 'other' } },
          });
        }
        incident.held = true;
        return {};
      }
      if (input.ConditionExpression === 'claimToken = :token') {
        if (/REMOVE .*claimToken/.test(input.UpdateExpression ?? '')) incident.held = false;
        if (/respondedLevel = :level/.test(input.UpdateExpression ?? '')) incident.answered = true;
      }
      return {};
    });
  });

  it('gives the claim back unanswered before failing, so that the retry claims the incident and acts', async () => {
    guardDuty.holds(containFinding());
    const failed = await respondWith(failingPlanning, containFinding(), {
      config: enforceConfig(),
      clients: h.clients,
      confirmFinding: startConfirmation,
      dryRun: false,
      responder: RESPONDER,
      now: () => NOW,
      ledger: ledgerOptions(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(StagedPlanningError);
    expect(claimWrites()).toHaveLength(1);
    const [outcome, ...more] = outcomeWrites();
    expect(more).toEqual([]);
    // Recorded as a response that must act again: the claim removed, no respondedLevel/respondedAt (not answered).
    expect(outcome).toMatchObject({
      TableName: TABLE,
      Key: { pk: { S: expect.stringMatching(/^incident#/) } },
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: expect.objectContaining({ ':token': claimWrites()[0]!.ExpressionAttributeValues![':token'] }),
    });
    expect(outcome!.UpdateExpression).toMatch(/ REMOVE leaseUntil, claimToken, claimLevel, claimActing, pendingNotification ADD findingIds :findingIds$/);
    expect(outcome!.UpdateExpression).not.toContain('respondedLevel');
    expect(outcome!.ExpressionAttributeValues![':level']).toBeUndefined();
    expect(outcome!.ExpressionAttributeValues![':failedReads']).toEqual({
      L: [expect.objectContaining({ M: expect.objectContaining({ id: { S: PLANNING_READ_ID } }) })],
    });
    // Isolation acted, so its containment slot stays with the incident: the retry takes it over (reusedOwn), none is deleted.
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
    expect(incident).toEqual({ held: false, answered: false });

    // Lambda's retry: the same finding, the whole playbook. It claims the incident (not BEING_ANSWERED) and answers it.
    const retry = await respond(containFinding(), { config: enforceConfig(), clients: h.clients, confirmFinding: startConfirmation, dryRun: false, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
    expect(retry.blockedBy).toEqual([]);
    expect(claimWrites()).toHaveLength(2);
    expect(retry.reads.find((r) => r.id.startsWith('read:claim-incident'))).toMatchObject({ status: 'done' });
    expect(incident).toEqual({ held: false, answered: true });
  });
});
