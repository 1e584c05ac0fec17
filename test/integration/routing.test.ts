import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { routingTableFor } from '../../lambda/config/routing-of';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { routeFinding } from '../../lambda/routing/route';
import { freshEmulator, type EmulatorConnection } from './support/account';
import { drainQueue } from './support/inbox';
import { caseMarker, edgeCases, fixtureCases, putEventsEntry, type RoutingCase } from './support/routing-cases';
import { readSynthesizedRouting, type SynthesizedRouting } from './support/synthesized-rules';

/*
 * Routing fidelity: the EventBridge rules of the synthesized template, created
 * as they are in the emulator's EventBridge (one SQS queue per playbook in
 * place of its Lambda), must deliver every finding to exactly the playbook
 * routeFinding names, once. This is the same decision the handlers re-check
 * at run time (a mismatch is refused), so a disagreement would drop findings.
 *
 * What the emulator cannot show: moto evaluates patterns with its own
 * matcher, not EventBridge's (TestEventPattern is a stub there), and it
 * accepts PutEvents with source aws.guardduty, which AWS reserves for
 * GuardDuty itself. The authority on what the patterns match is Event Ruler,
 * EventBridge's own engine: test/unit/routing/event-patterns.test.ts and
 * test/cdk/routing.test.ts run the same patterns through it. This test shows
 * the rules and targets work end to end as the stack creates them.
 */

const PUT_EVENTS_BATCH = 10;

let emulator: EmulatorConnection;
let routing: SynthesizedRouting;
let cases: RoutingCase[];
/** Case index → playbooks whose queue received it (one entry per delivery). */
let deliveries: Map<number, PlaybookName[]>;

async function queueFor(playbook: PlaybookName): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await emulator.sqs.send(new CreateQueueCommand({ QueueName: `routed-to-${playbook}` }));
  const { Attributes } = await emulator.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/*
 * Each target forwards only the case marker. Transformers apply after matching, so routing is unaffected;
 * without one, moto builds eight JSONPath parsers per delivery (about a second each time).
 */
const MARKER_ONLY = { InputPathsMap: { marker: '$.resources[0]' }, InputTemplate: '{"marker": "<marker>"}' };

async function createRules(queues: Record<PlaybookName, { arn: string }>): Promise<void> {
  for (const rule of routing.rules) {
    await emulator.events.send(new PutRuleCommand({ Name: rule.logicalId, EventPattern: JSON.stringify(rule.eventPattern), State: 'ENABLED' }));
    await emulator.events.send(
      new PutTargetsCommand({
        Rule: rule.logicalId,
        Targets: rule.playbooks.map((playbook, i) => ({ Id: `Target${i}`, Arn: queues[playbook].arn, InputTransformer: MARKER_ONLY })),
      }),
    );
  }
}

async function sendAll(): Promise<void> {
  for (let start = 0; start < cases.length; start += PUT_EVENTS_BATCH) {
    const entries = cases.slice(start, start + PUT_EVENTS_BATCH).map((c, i) => putEventsEntry(c, start + i));
    const result = await emulator.events.send(new PutEventsCommand({ Entries: entries }));
    if ((result.FailedEntryCount ?? 0) > 0) throw new Error(`PutEvents refused entries: ${JSON.stringify(result.Entries)}`);
  }
}

async function collectDeliveries(queueUrls: Record<PlaybookName, string>): Promise<Map<number, PlaybookName[]>> {
  const byCase = new Map<number, PlaybookName[]>();
  const markerToIndex = new Map(cases.map((_, i) => [caseMarker(i), i]));
  for (const playbook of PLAYBOOK_NAMES) {
    for (const body of await drainQueue(emulator.sqs, queueUrls[playbook])) {
      const { marker } = JSON.parse(body) as { marker?: string };
      const index = markerToIndex.get(marker ?? '');
      if (index === undefined) throw new Error(`queue of ${playbook} received an event that was not sent by this test: ${body.slice(0, 200)}`);
      byCase.set(index, [...(byCase.get(index) ?? []), playbook]);
    }
  }
  return byCase;
}

beforeAll(async () => {
  routing = readSynthesizedRouting();
  emulator = await freshEmulator();
  cases = [...fixtureCases(), ...edgeCases()];
  const queues = Object.fromEntries(await Promise.all(PLAYBOOK_NAMES.map(async (p) => [p, await queueFor(p)] as const))) as Record<
    PlaybookName,
    { url: string; arn: string }
  >;
  await createRules(queues);
  await sendAll();
  deliveries = await collectDeliveries(Object.fromEntries(PLAYBOOK_NAMES.map((p) => [p, queues[p].url])) as Record<PlaybookName, string>);
});

describe('EventBridge rules of the synthesized stack, in the emulator', () => {
  it('has a rule targeting every playbook, each rule with exactly one target', () => {
    expect(routing.rules.length).toBeGreaterThanOrEqual(PLAYBOOK_NAMES.length);
    expect(routing.rules.filter((r) => r.playbooks.length !== 1).map((r) => r.logicalId)).toEqual([]);
    expect(new Set(routing.rules.flatMap((r) => r.playbooks))).toEqual(new Set(PLAYBOOK_NAMES));
  });

  it('sends findings of every playbook through the test', () => {
    const table = routingTableFor(routing.config);
    const expected = new Set(cases.map((c) => routeFinding(c.finding, table).playbook));
    expect(expected).toEqual(new Set(PLAYBOOK_NAMES));
  });

  it('delivers every finding exactly once, to the queue of the playbook routeFinding names', () => {
    const table = routingTableFor(routing.config);
    const wrong = cases.flatMap((c, index) => {
      const expected = routeFinding(c.finding, table).playbook;
      const got = deliveries.get(index) ?? [];
      return got.length === 1 && got[0] === expected ? [] : [`${c.name} (${c.finding.type}): expected [${expected}], delivered to [${got.join(', ')}]`];
    });
    expect(wrong).toEqual([]);
  });
});
