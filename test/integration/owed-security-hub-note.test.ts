import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchUpdateFindingsCommand, type BatchUpdateFindingsCommandInput } from '@aws-sdk/client-securityhub';
import { createAwsClients } from '../../lambda/aws/clients';
import { SECURITY_HUB_STEP_ID } from '../../lambda/close-loop/ids';
import { OwedNotes, owedNotePointerKey } from '../../lambda/close-loop/owed-notes';
import { emulatorClientOptions } from '../../emulator/clients';
import { handleImportedEvent, OWED_NOTE_CLIENT_CLASSES } from '../../lambda/handlers/security-hub-note';
import type { Report } from '../../lambda/plan/document';
import { useSecurityHub } from '../support/aws-mocks/security-hub';
import { importedEventOf } from '../support/security-hub-events';
import { startHandlerBench, LEDGER_TABLE, type HandlerBench } from './support/handler-bench';
import { instanceFindingEvent } from './support/findings';

/*
 * The Security Hub note owed in the ledger (lambda/close-loop/owed-notes.ts),
 * through the real contain-instance handler and the owed-note writer's
 * handler, with the ledger in the emulator (moto's DynamoDB, conditions and
 * all). moto has no Security Hub BatchUpdateFindings: Security Hub is a
 * mocked client here (aws-sdk-client-mock), first not holding the finding
 * (FindingNotFound, as on a finding's first response), then holding it.
 * The run is not a localEmulator one, so the step does call Security Hub.
 */

const securityHub = useSecurityHub();
let bench: HandlerBench;
let event: Record<string, unknown>;
let report: Report;
let findingArn: string;
let incidentId: string;

const sent = (): BatchUpdateFindingsCommandInput[] => securityHub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);

function writer() {
  const clients = createAwsClients({ ...emulatorClientOptions(bench.endpoint) }, OWED_NOTE_CLIENT_CLASSES);
  return (imported: unknown) => handleImportedEvent(imported, { region: bench.account.seed.region, ledgerTableName: LEDGER_TABLE }, clients);
}

beforeAll(async () => {
  bench = await startHandlerBench();
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) =>
    Promise.resolve({ ProcessedFindings: [], UnprocessedFindings: (input.FindingIdentifiers ?? []).map((id) => ({ FindingIdentifier: id, ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding not found' })) }),
  );
  event = instanceFindingEvent(bench.account.seed, bench.account.seed.instanceA);
  findingArn = (event.detail as { arn: string }).arn;
  report = await bench.invoke(event, { playbook: 'contain-instance', config: { localEmulator: false } });
  incidentId = report.incidentId;
}, 120_000);
afterAll(() => bench.close());

it('on the first response Security Hub does not hold the finding: the step is skipped and the note is owed in the ledger, as sent', async () => {
  const step = report.steps.find((s) => s.id === SECURITY_HUB_STEP_ID);
  expect(step).toMatchObject({ status: 'skipped' });
  expect(step?.reason).toMatch(/^Security Hub does not hold the finding yet \(FindingNotFound: Finding not found\): .*the note is owed in the ledger and is written when Security Hub imports the finding$/);
  const [first] = sent();
  expect(sent()).toHaveLength(1);
  const pointer = (await bench.dynamodb.send(new GetItemCommand({ TableName: LEDGER_TABLE, Key: owedNotePointerKey(findingArn), ConsistentRead: true }))).Item;
  expect(pointer).toMatchObject({ incidentId: { S: incidentId }, findingArn: { S: findingArn } });
  const note = (await bench.item(`incident#${incidentId}`))?.securityHubNote?.M;
  expect(note).toMatchObject({
    findingArn: { S: findingArn },
    productArn: { S: first!.FindingIdentifiers![0]!.ProductArn },
    text: { S: first!.Note!.Text },
    author: { S: 'guardduty-incident-response/contain-instance' },
    status: { S: 'NOTIFIED' },
    progress: { S: 'owed' },
  });
});

describe('Security Hub imports the finding', () => {
  let firstResponse: BatchUpdateFindingsCommandInput;
  beforeAll(() => {
    firstResponse = sent()[0]!;
    securityHub.reset();
    securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => Promise.resolve({ ProcessedFindings: input.FindingIdentifiers ?? [], UnprocessedFindings: [] }));
  });

  it('the Imported event writes the note the ledger holds, once, and the ledger marks it written', async () => {
    const write = writer();
    const deliveries = await write(importedEventOf(findingArn, { text: 'forged text in the event', status: 'SUPPRESSED' }));
    expect(deliveries).toEqual([{ findingArn, outcome: 'written', incidentId }]);
    // Exactly the request the response built (from the ledger), nothing of the event's.
    expect(sent()).toEqual([firstResponse]);
    const note = (await bench.item(`incident#${incidentId}`))?.securityHubNote?.M;
    expect(note?.progress).toEqual({ S: 'written' });
    expect(note?.writtenAt?.S).toMatch(/^\d{4}-/);
    expect(note?.claimToken).toBeUndefined();
  });

  it('the Imported event of that very update (and any later one) writes nothing', async () => {
    const write = writer();
    const deliveries = await write(importedEventOf(findingArn));
    expect(deliveries).toEqual([{ findingArn, outcome: 'nothing-owed', reason: `incident ${incidentId}'s note for this finding is written, or being written` }]);
    expect(sent()).toHaveLength(1);
  });

  it('an Imported event of a finding the ledger owes nothing for writes nothing and changes nothing', async () => {
    const other = findingArn.replace(/finding\/[0-9a-f]+$/, 'finding/0123456789abcdef0123456789abcdef');
    const before = await bench.item(`incident#${incidentId}`);
    expect(await writer()(importedEventOf(other))).toEqual([{ findingArn: other, outcome: 'nothing-owed', reason: 'the ledger owes no Security Hub note for this finding' }]);
    expect(sent()).toHaveLength(1);
    expect(await bench.item(`incident#${incidentId}`)).toEqual(before);
  });

  it('two Imported events at once (the import and an update): the conditional claim lets one write it', async () => {
    const notes = new OwedNotes(bench.dynamodb, LEDGER_TABLE);
    await notes.owe(incidentId, { identifier: firstResponse.FindingIdentifiers![0]! as { Id: string; ProductArn: string }, text: firstResponse.Note!.Text!, author: firstResponse.Note!.UpdatedBy!, status: 'NOTIFIED' }, undefined);
    securityHub.resetHistory();
    const write = writer();
    const both = await Promise.all([write(importedEventOf(findingArn)), write(importedEventOf(findingArn))]);
    expect(both.flat().map((d) => d.outcome).sort()).toEqual(['nothing-owed', 'written']);
    expect(sent()).toEqual([firstResponse]);
  });

  it('a writer that crashed mid-write holds the note only until its lease ends: then the next event writes it', async () => {
    const notes = new OwedNotes(bench.dynamodb, LEDGER_TABLE);
    await notes.owe(incidentId, { identifier: firstResponse.FindingIdentifiers![0]! as { Id: string; ProductArn: string }, text: firstResponse.Note!.Text!, author: firstResponse.Note!.UpdatedBy!, status: 'NOTIFIED' }, undefined);
    // The crashed writer: it claimed the note and never came back.
    const crashed = await new OwedNotes(bench.dynamodb, LEDGER_TABLE, () => new Date(Date.now() - 120_000)).take(incidentId, findingArn, 60_000);
    expect(crashed?.note.text).toBe(firstResponse.Note!.Text);
    securityHub.resetHistory();
    expect(await writer()(importedEventOf(findingArn))).toEqual([{ findingArn, outcome: 'written', incidentId }]);
    expect(sent()).toEqual([firstResponse]);
  });
});

