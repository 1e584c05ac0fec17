import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { ResponderError } from '../../../lambda/aws/errors';
import { OWED_NOTE_LEASE_MS } from '../../../lambda/close-loop/deliver-owed-notes';
import { owedNotePointerKey } from '../../../lambda/close-loop/owed-notes';
import { handleImportedEvent, OWED_NOTE_CLIENT_CLASSES } from '../../../lambda/handlers/security-hub-note';
import { securityHubLeavesUnprocessed, securityHubUpdates, updatesReceived, useSecurityHub } from '../../support/aws-mocks/security-hub';
import { importedEventOf } from '../../support/security-hub-events';

/*
 * The owed-note writer (lambda/close-loop/deliver-owed-notes.ts) with mocked
 * DynamoDB and Security Hub clients: exactly what it asks the ledger and
 * sends to Security Hub. The ledger's conditions themselves are proven
 * against the emulator (test/integration/owed-security-hub-note.test.ts).
 */

const dynamodb = mockClient(DynamoDBClient);
const securityHub = useSecurityHub();
afterAll(() => dynamodb.restore());

const TABLE = 'incident-ledger';
const ENV = { region: 'us-east-1', ledgerTableName: TABLE };
const FINDING_ARN = 'arn:aws:guardduty:us-east-1:222222222222:detector/12abc34d567e8fa901bc2d34e56789f0/finding/d279186428a75016b17e4df5ea43d080';
const PRODUCT_ARN = 'arn:aws:securityhub:us-east-1::product/aws/guardduty';
const INCIDENT = 'ir-0123456789abcdef';
const TEXT = 'GuardDuty incident response, incident ir-0123456789abcdef: contain-instance, every change done (9 done, 0 skipped, 0 failed). The notification and the ledger hold the report.';
const AUTHOR = 'guardduty-incident-response/contain-instance';

const noteItem = (progress: string, extra: Record<string, { S: string } | { N: string }> = {}) => ({
  M: { findingArn: { S: FINDING_ARN }, productArn: { S: PRODUCT_ARN }, text: { S: TEXT }, author: { S: AUTHOR }, status: { S: 'NOTIFIED' }, progress: { S: progress }, ...extra },
});

function conditionFailed(item: Record<string, unknown>) {
  return Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $fault: 'client', $metadata: {}, Item: item });
}

const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, OWED_NOTE_CLIENT_CLASSES);
const run = (event: unknown) => handleImportedEvent(event, ENV, clients);
const updates = (): UpdateItemCommandInput[] => dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

beforeEach(() => {
  dynamodb.reset();
  securityHub.reset();
  securityHubUpdates(securityHub);
});

describe('a GuardDuty finding whose note the ledger owes', () => {
  beforeEach(() => {
    dynamodb.on(GetItemCommand).resolves({ Item: { ...owedNotePointerKey(FINDING_ARN), incidentId: { S: INCIDENT }, findingArn: { S: FINDING_ARN } } });
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) =>
      Promise.resolve(input.UpdateExpression?.startsWith('SET #note.#progress = :writing') ? { Attributes: { pk: { S: `incident#${INCIDENT}` }, securityHubNote: noteItem('writing') } } : {}),
    );
  });

  it('looks the finding up, claims the note, writes the ledger’s request (not the event’s) and marks it written', async () => {
    const deliveries = await run(importedEventOf(FINDING_ARN, { text: 'attacker words', status: 'SUPPRESSED' }));
    expect(deliveries).toEqual([{ findingArn: FINDING_ARN, outcome: 'written', incidentId: INCIDENT }]);
    expect(dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toEqual([{ TableName: TABLE, Key: owedNotePointerKey(FINDING_ARN), ConsistentRead: true }]);
    const [take, written, ...rest] = updates();
    expect(rest).toEqual([]);
    expect(take).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${INCIDENT}` } },
      UpdateExpression: 'SET #note.#progress = :writing, #note.claimToken = :token, #note.leaseUntil = :until',
      ConditionExpression: '#note.findingArn = :findingArn AND (#note.#progress = :owed OR (#note.#progress = :writing AND #note.leaseUntil < :nowMs))',
      ExpressionAttributeNames: { '#note': 'securityHubNote', '#progress': 'progress' },
      ExpressionAttributeValues: {
        ':writing': { S: 'writing' },
        ':owed': { S: 'owed' },
        ':token': { S: expect.any(String) },
        ':until': { N: expect.any(String) },
        ':nowMs': { N: expect.any(String) },
        ':findingArn': { S: FINDING_ARN },
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const values = take!.ExpressionAttributeValues!;
    expect(Number(values[':until']!.N) - Number(values[':nowMs']!.N)).toBe(OWED_NOTE_LEASE_MS);
    expect(updatesReceived(securityHub)).toEqual([
      { FindingIdentifiers: [{ Id: FINDING_ARN, ProductArn: PRODUCT_ARN }], Note: { Text: TEXT, UpdatedBy: AUTHOR }, Workflow: { Status: 'NOTIFIED' } },
    ]);
    expect(written).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${INCIDENT}` } },
      UpdateExpression: 'SET #note.#progress = :written, #note.writtenAt = :at, #note.writtenBy = :token REMOVE #note.claimToken, #note.leaseUntil',
      ConditionExpression: '#note.claimToken = :token',
      ExpressionAttributeNames: { '#note': 'securityHubNote', '#progress': 'progress' },
      ExpressionAttributeValues: { ':written': { S: 'written' }, ':at': { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }, ':token': values[':token'] },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('a second event, the note written (the claim’s condition fails), sends nothing', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed({ securityHubNote: noteItem('written', { writtenBy: { S: 'earlier-token' } }) }));
    expect(await run(importedEventOf(FINDING_ARN))).toEqual([
      { findingArn: FINDING_ARN, outcome: 'nothing-owed', reason: `incident ${INCIDENT}'s note for this finding is written, or being written` },
    ]);
    expect(updatesReceived(securityHub)).toEqual([]);
    expect(updates()).toHaveLength(1);
  });

  it('a note without a status leaves the workflow alone', async () => {
    const { status: _status, ...withoutStatus } = noteItem('writing').M;
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) =>
      Promise.resolve(input.UpdateExpression?.startsWith('SET #note.#progress = :writing') ? { Attributes: { securityHubNote: { M: withoutStatus } } } : {}),
    );
    await run(importedEventOf(FINDING_ARN));
    expect(updatesReceived(securityHub)).toEqual([{ FindingIdentifiers: [{ Id: FINDING_ARN, ProductArn: PRODUCT_ARN }], Note: { Text: TEXT, UpdatedBy: AUTHOR } }]);
  });

  it('Security Hub refusing the update fails the invocation with its code, the note given back (owed again) for the retry', async () => {
    securityHubLeavesUnprocessed(securityHub, 'ConcurrentUpdateError', 'Another update is in progress');
    const failure = await run(importedEventOf(FINDING_ARN)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ResponderError);
    expect(failure).toMatchObject({ code: 'ConcurrentUpdateError', retryable: true });
    const [take, giveBack, ...rest] = updates();
    expect(rest).toEqual([]);
    expect(giveBack).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${INCIDENT}` } },
      UpdateExpression: 'SET #note.#progress = :owed REMOVE #note.claimToken, #note.leaseUntil',
      ConditionExpression: '#note.claimToken = :token',
      ExpressionAttributeNames: { '#note': 'securityHubNote', '#progress': 'progress' },
      ExpressionAttributeValues: { ':owed': { S: 'owed' }, ':token': take!.ExpressionAttributeValues![':token'] },
    });
  });

  it('a lasting refusal (InvalidInput) fails it too, not retryable, and an AWS error on the call carries its code', async () => {
    securityHubLeavesUnprocessed(securityHub, 'InvalidInput', 'bad');
    await expect(run(importedEventOf(FINDING_ARN))).rejects.toMatchObject({ code: 'InvalidInput', retryable: false });
    securityHub.reset();
    securityHub.on(BatchUpdateFindingsCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    await expect(run(importedEventOf(FINDING_ARN))).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it('a ledger that cannot be read fails the invocation with DynamoDB’s code, nothing sent', async () => {
    dynamodb.on(GetItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: {} }));
    await expect(run(importedEventOf(FINDING_ARN))).rejects.toMatchObject({ code: 'ProvisionedThroughputExceededException', retryable: true });
    expect(updatesReceived(securityHub)).toEqual([]);
  });
});

describe('nothing owed, or not a GuardDuty finding: nothing is written anywhere', () => {
  it('a finding the ledger owes no note for: one read of the pointer, no write, nothing sent', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    expect(await run(importedEventOf(FINDING_ARN))).toEqual([{ findingArn: FINDING_ARN, outcome: 'nothing-owed', reason: 'the ledger owes no Security Hub note for this finding' }]);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
    expect(updates()).toEqual([]);
    expect(updatesReceived(securityHub)).toEqual([]);
  });

  it('a pointer item that names another finding (a hash collision, an edited item) is not followed', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: { incidentId: { S: INCIDENT }, findingArn: { S: FINDING_ARN.replace(/.$/, '1') } } });
    expect((await run(importedEventOf(FINDING_ARN)))[0]).toMatchObject({ outcome: 'nothing-owed' });
    expect(updates()).toEqual([]);
  });

  const forged: [string, unknown][] = [
    ['an Inspector finding', importedEventOf('arn:aws:inspector2:us-east-1:222222222222:finding/0123abcd', { productArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector', productName: 'Inspector' })],
    ['a GuardDuty ARN under another product', importedEventOf(FINDING_ARN, { productArn: 'arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default', productName: 'Default' })],
    ['a GuardDuty ARN whose product ARN names another region', importedEventOf(FINDING_ARN, { productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty' })],
    ['a GuardDuty product without GuardDuty’s product name', importedEventOf(FINDING_ARN, { productName: 'NotGuardDuty' })],
    ['a custom action event', importedEventOf(FINDING_ARN, { detailType: 'Security Hub Findings - Custom Action' })],
    ['another source', importedEventOf(FINDING_ARN, { source: 'my.app' })],
    ['a GuardDuty finding event handed over directly', { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { id: 'x', arn: FINDING_ARN } }],
    ['no findings', { source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported', detail: { findings: [] } }],
    ['odd findings', { source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported', detail: { findings: [null, 42, { Id: 7 }, { Id: FINDING_ARN }] } }],
    ['nothing at all', undefined],
  ];

  it.each(forged)('%s: no ledger call, nothing sent', async (_name, event) => {
    const deliveries = await run(event);
    expect(deliveries.every((d) => d.outcome === 'ignored')).toBe(true);
    expect(dynamodb.calls()).toEqual([]);
    expect(updatesReceived(securityHub)).toEqual([]);
  });
});

it('an item in the ledger that is not a note the responder recorded (a status it never sets) is refused loudly, nothing sent', async () => {
  dynamodb.on(GetItemCommand).resolves({ Item: { incidentId: { S: INCIDENT }, findingArn: { S: FINDING_ARN } } });
  dynamodb.on(UpdateItemCommand).resolves({ Attributes: { securityHubNote: noteItem('writing', { status: { S: 'SUPPRESSED' } }) } });
  await expect(run(importedEventOf(FINDING_ARN))).rejects.toMatchObject({ code: 'OwedNoteUnreadable' });
  expect(updatesReceived(securityHub)).toEqual([]);
});
