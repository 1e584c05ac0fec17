import fc from 'fast-check';
import { renderPlan, renderReport } from '../../../cli/render/plan-text';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { CHAT_DESCRIPTION_LIMIT, renderChat, type ChatbotNotification } from '../../../lambda/notify/chat';
import { buildNotificationDocument } from '../../../lambda/notify/document';
import { formatNotification } from '../../../lambda/notify/message';
import { brakeNote } from '../../../lambda/notify/brake-announcement';
import { joinNote } from '../../../lambda/notify/join-message';
import { renderedNote } from '../../../lambda/notify/rendered';
import { formatRepeatNotification, repeatNote } from '../../../lambda/notify/repeat-message';
import { stepReport, summarize, type PlanDocument, type Report } from '../../../lambda/plan/document';
import type { IamAction, StepOutcome } from '../../../lambda/plan/types';
import { preparePlan } from '../../../lambda/respond/respond';
import { LINE_LIMIT } from '../../../lambda/text/untrusted';
import { loadFixture } from '../../support/fixtures';

/*
 * Every value of a finding and of what the steps report (tags, names, user
 * names, descriptions, titles, types, IPs, AWS error messages) replaced by
 * hostile text, through planning, the notification, the repeat note and the
 * terminal rendering: no line may start with attacker text, no step may be
 * forged, no line may pass LINE_LIMIT, and the subject stays a valid SNS
 * subject.
 */

const FORGED = 'FORGED';
const BREAKS = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c'];
const forgeries = fc.constantFrom(
  ...BREAKS.flatMap((br) => [
    `x${br}${FORGED}`,
    `x${br}  DONE    ${FORGED} step [ec2:TerminateInstances on i-0a1b2c3d4e5f60718]`,
    `x${br}[GuardDuty IR DONE] ${FORGED}`,
    `x${br}   1. done    ${FORGED} [iam:DeleteUser → x]`,
    `x${br}Steps:${br}  SKIPPED ${FORGED}`,
  ]),
  `\u202e${FORGED}\u202c`,
  `\u2066${FORGED}\u2069\u200b\ufeff`,
  `\u001b[2K\r${FORGED}`,
  `<!channel> <!here> <@U0123ABC> @here @channel \`${FORGED}\` [click](https://evil.example/x) *DONE* ~x~ &lt;!everyone&gt;`,
  `x\n<https://evil.example|${FORGED}>`,
  `${'A'.repeat(5000)}\n${FORGED}`,
);
const hostileText = fc.oneof(
  forgeries,
  fc.string({ maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...BREAKS, FORGED, '[', ' ', 'DONE', '\u202e', 'é'), maxLength: 60 }),
);

// Validated ids and scalars keep their real values (a hostile one is refused when parsed, see finding/ids.test.ts).
const KEPT = new Set(['source', 'id', 'accountId', 'region', 'instanceId', 'severity', 'resourceType', 'partition', 'createdAt', 'updatedAt', 'count', 'archived', 'sample']);

/** Every string leaf of the fixture but the kept ones, replaced by the hostile values in turn (the type too). */
function hostile(json: unknown, values: readonly string[], keepNames: boolean, keepType: boolean): unknown {
  let i = 0;
  const keep = new Set([...KEPT, ...(keepNames ? ['userName', 'userType', 'accessKeyId'] : []), ...(keepType ? ['type'] : [])]);
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return keep.has(key) ? value : values[i++ % values.length];
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return walk(json, '');
}

function parsed(input: unknown): Finding | undefined {
  try {
    return parseFindings(input)[0];
  } catch (error) {
    if (error instanceof FindingInputError) return undefined;
    throw error;
  }
}

const FIXTURES = [
  'contain-instance/crypto-bitcoin-tool.event.json',
  'contain-instance/metadata-dns-rebind.event.json',
  'contain-instance/exempt-tagged-instance.event.json',
  'revoke-credentials/malicious-ip-caller-user-key.event.json',
  'revoke-credentials/exfiltration-role.event.json',
  'notify/port-probe-unprotected.event.json',
  // Every resource type the notification details (lambda/notify/resources.ts).
  'notify/stealth-s3-logging-disabled.event.json',
  'contain-eks/eks-runtime-bitcoin-dns.event.json',
  'contain-function/trojan-lambda-blackhole.raw.json',
  'notify/rds-anomalous-login.event.json',
  'answer-sequence/compromised-credentials.event.json',
].map((file) => loadFixture(file));

/** What the steps report, hostile too: AWS error messages and details echo names and tags. */
function outcomesOf(doc: PlanDocument, values: readonly string[]): StepOutcome[] {
  return doc.steps.map((step, index): StepOutcome => {
    const text = values[index % values.length]!;
    const base = { id: step.id, title: step.title, action: step.action as IamAction, target: step.target, mutating: step.mutating, durationMs: 1 };
    if (index % 3 === 0) return { ...base, status: 'done', detail: text };
    if (index % 3 === 1) return { ...base, status: 'skipped', reason: text };
    return { ...base, status: 'failed', error: { code: text, message: text, retryable: false } };
  });
}

function withEvidence(outcomes: StepOutcome[], value: string): StepOutcome[] {
  const found: StepOutcome = {
    id: 'investigate-key-events',
    title: 'Look up the CloudTrail events',
    action: 'cloudtrail:LookupEvents',
    target: value,
    mutating: false,
    status: 'done',
    evidence: {
      kind: 'cloudtrail-events',
      accessKeyId: value,
      region: 'us-east-1',
      startTime: value,
      endTime: value,
      eventsRead: 1,
      pagesRead: 1,
      complete: true,
      stoppedBy: null,
      stopError: null,
      firstEventTime: value,
      lastEventTime: value,
      eventNames: [{ value, count: 1 }],
      moreEventNames: 0,
      sourceIps: [{ value, count: 1 }],
      moreSourceIps: 0,
      eventsWithError: 0,
    },
    durationMs: 1,
  };
  return [...outcomes, found];
}

const MESSAGE_LINE = new RegExp(
  '^(|MORE EXPOSED THAN BEFORE: |BLAST-RADIUS BRAKE IS ON: |EXEMPT: |Summary: |What GuardDuty found$|Resource$|What changed$|Steps \\(in plan order\\):$|' +
    'Could not be done$|What a person must do next$|Links$|GuardDuty finding |GuardDuty confirmation: |Account |Finding id: |Incident id: |Playbook: |NO CHANGES WERE MADE\\. |  - |' +
    'Reads that failed:$|Steps:$|  (DONE   |SKIPPED|FAILED ) |No automated action applies|Investigation \\(read-only|  [A-Z]|    |Warnings:$|' +
    'It was answered at |Another delivery of it |The plan and every step|' +
    // The short notes (lambda/notify/note-email.ts).
    'About$|Commands$|The incident was opened |The incident now holds |This finding changed nothing|Engaged by finding |From now on |This brake is SHARED )',
);
const STEP_MARK = /^ {2}(DONE {3}|SKIPPED|FAILED ) /;
const TERMINAL_LINE = /^(finding |  account |  guardduty |  route   |  mode    |  guards  |    |  reads   |  steps:$|  warnings:$|  result  |\s{2}[\s\d]\d\. |        found )/;
const TERMINAL_STEP = /^\s{2}[\s\d]\d\. /;

function expectSafeLines(text: string, allowed: RegExp): string[] {
  expect(text).not.toMatch(/[\r\u000b\u000c\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\ufeff\u001b]/);
  const lines = text.split('\n');
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(line).toMatch(allowed);
    expect(line.trimStart().startsWith(FORGED)).toBe(false);
    expect(line.startsWith('[')).toBe(false);
  }
  return lines;
}

/**
 * The chat copy (Slack, Teams markdown through AWS Chatbot): no mention, no link, no code span can come from the
 * attacker. Our own console links are the only URLs, and they carry only URI-encoded values.
 */
function expectSafeChat(chat: ChatbotNotification): void {
  // The brake's commands are our own code spans (the deployment's region and table): the only backticks allowed.
  const ours = /`ir brake (status|release) --region [a-z0-9-]+( --table [A-Za-z0-9._-]+)?( --reason "&lt;why&gt;")?`/g;
  const text = JSON.stringify({ ...chat, content: { ...chat.content, description: chat.content.description.replace(ours, '') } });
  expect(text).not.toMatch(/[<>@`\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\ufeff]/);
  expect(text).not.toContain('](');
  for (const scheme of text.matchAll(/[a-z]+:\/\/[^\s"\\]*/gi)) expect(scheme[0]).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^\s"*~]*$/);
  for (const line of chat.content.description.split('\n')) {
    expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(line.trimStart().startsWith(FORGED) ? line : 'ok').toBe('ok');
  }
  expect(chat.content.description.length).toBeLessThanOrEqual(CHAT_DESCRIPTION_LIMIT);
  expect(chat.version).toBe('1.0');
  expect(chat.source).toBe('custom');
}

const responder = { protectedRoleNames: [] };

describe('hostile values in notifications, reports and the terminal', () => {
  beforeAll(() => {
    process.env.NO_COLOR = '1';
  });

  it('no value starts a line, forges a step or passes the bounds', async () => {
    let planned = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIXTURES),
        fc.array(hostileText, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (fixture, values, keepNames, keepType, exempt) => {
          // With its own type kept, the finding reaches its playbook (a hostile type routes to notify).
          const finding = parsed(hostile(fixture, values, keepNames, keepType));
          if (!finding) return;
          planned += 1;
          const config = exempt ? { ...DEFAULT_RUNTIME_CONFIG, exemptTagKey: values[0]!.slice(0, 128) || 'k' } : DEFAULT_RUNTIME_CONFIG;
          const { document } = await preparePlan(finding, { config, dryRun: true, responder });

          const outcomes = withEvidence(outcomesOf(document, values), values[values.length - 1]!);
          const failedRead: StepOutcome = { ...outcomes[0]!, id: 'read:x', status: 'failed', error: { code: values[0]!, message: values[0]!, retryable: false } };
          const doc = { ...document, reads: [failedRead] };
          const { subject, message } = formatNotification(doc, outcomes, { finding });
          expectSafeChat(renderChat(buildNotificationDocument(doc, outcomes, { finding })));
          expect(subject).toMatch(/^\[GuardDuty IR [A-Z -]+\] [\x20-\x7e]*$/);
          expect(subject.length).toBeLessThan(100);
          const lines = expectSafeLines(message, MESSAGE_LINE);
          // The notification's own step is not among what it reports (it is the one running); the failed read is.
          expect(lines.filter((l) => STEP_MARK.test(l))).toHaveLength(outcomes.filter((o) => o.id !== 'notify').length + 1);

          const repeat = formatRepeatNotification(doc, {
            record: { respondedAt: values[0], respondedMode: values[0], notifiedCount: 1 } as never,
            count: 2,
            ledgerTable: 't',
            ledgerKey: `incident#${document.incidentId}`,
          });
          expect(repeat.subject).toMatch(/^\[GuardDuty IR REPEAT\] [\x20-\x7e]*$/);
          expectSafeLines(repeat.message, MESSAGE_LINE);

          // Every short note, both renderings and both MAY REPEAT ones: escaped, bounded, the severity kept in each subject.
          const record = { respondedAt: values[0], respondedMode: values[0], notifiedCount: 1, findingId: values[values.length - 1] } as never;
          const notes = [
            repeatNote(doc, { record, count: 2, ledgerTable: 't', ledgerKey: 'k' }, { finding }),
            joinNote(doc, { record, resource: values[0]!, ledgerTable: 't', ledgerKey: 'k', findings: 2 }, { finding }),
            brakeNote(
              { engagementId: values[0]!, engagedAt: values[0]!, incidentId: document.incidentId, findingId: finding.id, playbook: 'contain-instance', limit: 3, reason: values[0]! },
              { ledgerTable: 'ledger-table', region: 'us-east-1', shared: true, engagedIn: 'eu-west-1', finding },
            ),
          ];
          for (const note of notes) {
            const rendered = renderedNote(note);
            const severity = `: ${note.severity!.text}`;
            for (const subject of [rendered.subject, rendered.chat.subject]) {
              expect(subject).toMatch(/^\[GuardDuty IR (REPEAT|JOINED|BRAKE LATCHED)\] [\x20-\x7e]*$/);
              expect(subject).toContain(severity);
            }
            expect(rendered.mayRepeatSubject).toMatch(/^\[MAY REPEAT\] \[GuardDuty IR (REPEAT|JOINED|BRAKE LATCHED)\] [\x20-\x7e]*$/);
            expect(rendered.mayRepeatSubject).toContain(severity);
            expect(rendered.mayRepeatSubject.length).toBeLessThan(100);
            expectSafeLines(rendered.message, MESSAGE_LINE);
            expectSafeChat(JSON.parse(rendered.chat.message) as ChatbotNotification);
            expectSafeChat(JSON.parse(rendered.chat.mayRepeatMessage) as ChatbotNotification);
          }

          const planLines = expectSafeLines(renderPlan(doc), TERMINAL_LINE);
          expect(planLines.filter((l) => TERMINAL_STEP.test(l))).toHaveLength(document.steps.length);
          const report: Report = {
            ...doc,
            steps: document.steps.map((step, index) => stepReport(step, outcomes[index]!)),
            summary: summarize(outcomes),
            startedAt: 'x',
            finishedAt: 'y',
          };
          const reportLines = expectSafeLines(renderReport(report), TERMINAL_LINE);
          expect(reportLines.filter((l) => TERMINAL_STEP.test(l))).toHaveLength(document.steps.length);
        },
      ),
      { numRuns: 150 },
    );
    // Most runs must reach planning, or the property says nothing.
    expect(planned).toBeGreaterThan(100);
  });
});
