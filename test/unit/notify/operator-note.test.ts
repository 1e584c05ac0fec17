import fc from 'fast-check';
import type { ChatbotNotification } from '../../../lambda/notify/chat';
import { renderOperatorNoteChat } from '../../../lambda/notify/operator-note-chat';
import { renderOperatorNoteEmail } from '../../../lambda/notify/operator-note-email';
import type { StepReport } from '../../../lambda/plan/document';
import type { KeyReleaseReport } from '../../../lambda/release/access-key';
import { instanceReleaseNote, keyReleaseNote } from '../../../lambda/release/note';
import type { ReleaseReport } from '../../../lambda/release/report';
import { brakeReleaseNote } from '../../../cli/brake/release-note';
import { LINE_LIMIT } from '../../../lambda/text/untrusted';

/*
 * The notes of `ir release` and `ir brake release`, both renderings of one
 * document: the email text and the AWS Chatbot JSON. Their values can be
 * hostile (a profile ARN, a group id or a warning read from the instance's
 * tags, an AWS error message, the operator's --reason): no line of the
 * email may start with them or forge a step, and the chat copy carries no
 * mention, link, code span or forged emphasis.
 */

const FORGED = 'FORGED';
const HOSTILE = [
  `x\n${FORGED}`,
  `x\r\n  DONE    ${FORGED} [ec2:TerminateInstances on i-0a1b2c3d4e5f60718]`,
  `x\u2028[GuardDuty IR] Released: ${FORGED}`,
  `\u202e${FORGED}\u202c`,
  `\u001b[2K\r${FORGED}`,
  `<!channel> <!here> <@U0123ABC> @here \`${FORGED}\` [click](https://evil.example/x) *DONE* ~x~`,
  `${'A'.repeat(5000)}\n${FORGED}`,
];

const EVIDENCE_KEY = 'incidents/111122223333/us-east-1/ir-0123456789abcdef/releases/2026-11-23T100000.000Z-release.json';
const AT = new Date('2026-11-23T10:00:00.000Z');

function step(status: StepReport['status'], title: string, extra: Partial<StepReport> = {}): StepReport {
  return { id: `s-${title.length}`, title, action: 'ec2:ModifyNetworkInterfaceAttribute', iamActions: [], target: 'eni-0abc', parameters: {}, mutating: true, why: '', stage: 1, requires: [], status, durationMs: 1, ...extra };
}

function evidenceStep(status: StepReport['status'], extra: Partial<StepReport> = {}): StepReport {
  return { ...step(status, 'Keep the record of the release'), id: 'evidence:release.json', action: 's3:PutObject', target: `s3://bucket/${EVIDENCE_KEY}`, mutating: false, ...extra };
}

function instanceReport(text: string): ReleaseReport {
  return {
    instanceId: 'i-0123456789abcdef0',
    region: 'us-east-1',
    dryRun: false,
    refused: null,
    blockedBy: [],
    record: null,
    recordSource: 'tags',
    ledger: { table: 'ledger', key: 'restore#111122223333#us-east-1#i-0123456789abcdef0', status: 'failed', error: { code: 'AccessDeniedException', message: text, retryable: false } },
    notification: null,
    chatNotification: null,
    evidence: evidenceStep('failed', { error: { code: 'AccessDenied', message: text, retryable: false } }),
    snapshotsKept: [text],
    warnings: [text, `Evidence snapshots are kept: ${text}`],
    reads: [],
    steps: [step('done', `Associate instance profile ${text} with i-0123456789abcdef0 again`, { detail: text }), step('failed', `Put eni-0abc back on ${text}`, { error: { code: 'InvalidGroup.NotFound', message: text, retryable: false } })],
    summary: { done: 1, skipped: 0, failed: 1 },
    startedAt: AT.toISOString(),
    finishedAt: AT.toISOString(),
  };
}

function keyReport(text: string): KeyReleaseReport {
  return {
    accessKeyId: 'AKIA2EXAMPLEKEY00001',
    dryRun: false,
    refused: null,
    key: 'restore#111122223333#AKIA2EXAMPLEKEY00001',
    record: { accessKey: { userName: text, status: 'Active' }, sessionPolicies: [] },
    warnings: [text],
    reads: [],
    steps: [step('skipped', `Remove the responder's AWSRevokeOlderSessions from IAM user ${text}`, { reason: text })],
    summary: { done: 0, skipped: 1, failed: 0 },
    ledger: { table: 'ledger', key: 'restore#111122223333#AKIA2EXAMPLEKEY00001', status: 'recorded', closed: true, incident: { status: 'failed', error: { code: 'X', message: text, retryable: true } } },
    notification: null,
    chatNotification: null,
    evidence: evidenceStep('skipped', { reason: text }),
  };
}

function brakeNote(text: string) {
  const latch = { engagementId: 'eng-1', engagedAt: '2026-12-06T04:00:00.000Z', incidentId: text, findingId: text, playbook: 'contain-instance', limit: 3, reason: text };
  return brakeReleaseNote(
    { key: 'brake#release#eng-1', releaseId: 'r-1', releasedAt: AT.toISOString(), releasedBy: 'arn:aws:sts::111111111111:assumed-role/SecurityTeam/alice', reason: text, latch, slotsHeld: 2 },
    { table: 'ledger', region: 'eu-west-1', limit: 3, latched: latch, held: [], readAt: AT.toISOString() },
    evidenceStep('done', { detail: `s3://bucket/${EVIDENCE_KEY} (version v-1)` }),
  );
}

const notes = [(text: string) => instanceReleaseNote(instanceReport(text), { operator: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', incidentId: null, at: AT }), (text: string) => keyReleaseNote(keyReport(text), { operator: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', incidentId: 'ir-0123456789abcdef', at: AT }), brakeNote];

/** The lines the email itself starts: the summary, the headings, the labels, the step marks, the bullets. */
const OWN_LINE = /^(Summary: |ATTENTION: |The release$|Steps:$|What a person must do next$|Warnings:$|$|  (DONE   |SKIPPED|FAILED ) |  -( |$)|  [A-Z][a-z][A-Za-z ]*: )/;

function expectSafeEmail(email: { subject: string; message: string }): void {
  expect(email.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  for (const line of email.message.split('\n')) {
    expect([line, OWN_LINE.test(line)]).toEqual([line, true]);
    expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(line).not.toMatch(/^\s*FORGED|[\u202e\u2028\u001b\r]/);
  }
  expect(email.message).not.toMatch(/\n {2}DONE {4}FORGED/);
}

function expectSafeChat(chat: ChatbotNotification): void {
  // Control characters are shown as visible escapes (lambda/text/untrusted.ts), never sent as they are.
  const all = [chat.content.title, chat.content.description, ...chat.content.nextSteps, ...chat.content.keywords, ...Object.values(chat.metadata.additionalContext), chat.metadata.summary].join('\n');
  expect(all).not.toMatch(/<!channel>|<!here>|<@U|@here|https:\/\/evil|`|[\u202e\u001b]/);
  expect(chat.content.description.length).toBeLessThanOrEqual(2900);
  for (const line of chat.content.description.split('\n')) expect(line).not.toMatch(/^\s*FORGED/);
  expect(chat.content.description).not.toMatch(/(^|[^\\])\*DONE\*/);
}

describe('the notes of ir release and ir brake release, as email and as chat, from one document', () => {
  it.each(HOSTILE.map((text) => [text.slice(0, 30), text]))('stay escaped in both renderings with %j', (_label, text) => {
    for (const build of notes) {
      const note = build(text);
      expectSafeEmail(renderOperatorNoteEmail(note));
      expectSafeChat(renderOperatorNoteChat(note));
    }
  });

  it('stay escaped for any text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 300 })), (text) => {
        for (const build of notes) {
          const note = build(text);
          expectSafeEmail(renderOperatorNoteEmail(note));
          expectSafeChat(renderOperatorNoteChat(note));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('say the same in both: the subject, the summary, every step and the evidence', () => {
    const note = instanceReleaseNote(instanceReport('sg-0aaa'), { operator: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', incidentId: 'ir-0123456789abcdef', at: AT });
    const email = renderOperatorNoteEmail(note);
    const chat = renderOperatorNoteChat(note);
    expect(email.subject).toBe('[GuardDuty IR] INCOMPLETE release: instance i-0123456789abcdef0 (us-east-1)');
    expect(chat.metadata.summary).toBe(email.subject);
    expect(email.message.split('\n').slice(0, 2)).toEqual([
      'ATTENTION: 1 step(s) of the release of i-0123456789abcdef0 FAILED: it is only partly released; the release is NOT recorded in the ledger (failed); its record could NOT be kept in the evidence bucket (AccessDenied).',
      'Summary: i-0123456789abcdef0 in 111122223333/us-east-1 released by arn:aws:iam::111122223333:user/alice, from the instance\'s tags: 1 done, 0 skipped, 1 failed',
    ]);
    expect(email.message).toContain(`  FAILED  Keep the record of the release [s3:PutObject on s3://bucket/${EVIDENCE_KEY}] -- AccessDenied: sg-0aaa`);
    expect(chat.content.title).toBe(':rotating_light: INCOMPLETE RELEASE: instance i-0123456789abcdef0 in 111122223333/us-east-1');
    expect(chat.content.description).toContain('• FAILED Keep the record of the release (AccessDenied: sg-0aaa)');
    expect(chat.content.description).toContain('• FAILED Put eni-0abc back on sg-0aaa (InvalidGroup.NotFound: sg-0aaa)');
    expect(chat.metadata).toMatchObject({ threadId: 'ir-0123456789abcdef', eventType: 'GuardDutyIncidentRelease', relatedResources: ['i-0123456789abcdef0'] });
    expect(chat.content.nextSteps[0]).toBe('See what is left: ir release i-0123456789abcdef0 --region us-east-1 --dry-run; then run it again once the failures are fixed');
  });

  it('the brake release note, exactly', () => {
    const email = renderOperatorNoteEmail(brakeNote('flood was a scanner, INC-4711'));
    expect(email).toEqual({
      subject: '[GuardDuty IR BRAKE RELEASED] containments resume in eu-west-1',
      message: [
        'Summary: The blast-radius brake in eu-west-1 was released at 2026-11-23T10:00:00.000Z by arn:aws:sts::111111111111:assumed-role/SecurityTeam/alice: containments resume',
        '',
        'The release',
        '  Reason given: flood was a scanner, INC-4711',
        '  Released by: arn:aws:sts::111111111111:assumed-role/SecurityTeam/alice',
        '  At: 2026-11-23T10:00:00.000Z',
        '  It had latched at: 2026-12-06T04:00:00.000Z: flood was a scanner, INC-4711',
        '  Latched by: finding flood was a scanner, INC-4711 (contain-instance, incident flood was a scanner, INC-4711)',
        '  Slots held within the hour: 2 of 3',
        '  Ledger: ledger (eu-west-1), key pk = "brake#release#eng-1"',
        `  Evidence: s3://bucket/${EVIDENCE_KEY} (version v-1)`,
        '',
        'Steps:',
        `  DONE    Keep the record of the release [s3:PutObject on s3://bucket/${EVIDENCE_KEY}] -- s3://bucket/${EVIDENCE_KEY} (version v-1)`,
        '',
        'What a person must do next',
        '  - Once the 1 free slot(s) of the hour are used, the next containment latches the brake again: watch it with ir brake status --region eu-west-1',
      ].join('\n'),
    });
  });
});
