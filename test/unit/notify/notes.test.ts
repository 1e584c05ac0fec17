import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { LedgerRecord } from '../../../lambda/ledger/incident-ledger';
import { brakeNote } from '../../../lambda/notify/brake-announcement';
import { mayRepeatChat, type ChatbotNotification } from '../../../lambda/notify/chat';
import { joinNote } from '../../../lambda/notify/join-message';
import type { NoteDocument } from '../../../lambda/notify/note';
import { renderNoteChat } from '../../../lambda/notify/note-chat';
import { renderNoteEmail } from '../../../lambda/notify/note-email';
import { renderedNote } from '../../../lambda/notify/rendered';
import { repeatNote } from '../../../lambda/notify/repeat-message';
import { pendingChatToSend, pendingToSend } from '../../../lambda/notify/undelivered';
import { SUBJECT_LIMIT } from '../../../lambda/text/untrusted';
import { loadFixture } from '../../support/fixtures';
import { planDocumentOf as planOf } from '../../support/plan-documents';

/*
 * Both renderings of each short note (lambda/notify/note.ts): REPEAT, JOINED,
 * BRAKE LATCHED, and each sent again as MAY REPEAT. The email and the chat
 * JSON say the same things: the outcome and the severity in the subject, the
 * one-line summary first, the resource, the account and region, the links,
 * and for the brake the exact commands.
 */

function findingOf(fixture: string): Finding {
  return parseFindings(loadFixture(fixture))[0]!;
}


const record = {
  respondedAt: '2026-11-22T07:00:05.000Z',
  respondedMode: 'enforce',
  notifiedCount: 1,
  findingId: 'f-first',
} as LedgerRecord;

/** The documented custom-notification shape (AWS Chatbot), the keys in its order. */
function expectChatbotShape(chat: ChatbotNotification): void {
  expect(Object.keys(chat)).toEqual(['version', 'source', 'id', 'content', 'metadata']);
  expect(chat.version).toBe('1.0');
  expect(chat.source).toBe('custom');
  expect(Object.keys(chat.content)).toEqual(['textType', 'title', 'description', 'nextSteps', 'keywords']);
  expect(chat.content.textType).toBe('client-markdown');
  expect(Object.keys(chat.metadata)).toEqual(['threadId', 'summary', 'eventType', 'relatedResources', 'additionalContext']);
  for (const value of Object.values(chat.metadata.additionalContext)) expect(typeof value).toBe('string');
}

function both(note: NoteDocument) {
  const email = renderNoteEmail(note);
  const chat = renderNoteChat(note);
  expectChatbotShape(chat);
  expect(email.subject.length).toBeLessThanOrEqual(SUBJECT_LIMIT);
  expect(chat.metadata.summary).toBe(email.subject);
  // The same one-line summary first in both.
  const summary = email.message.split('\n')[0]!;
  expect(summary.startsWith('Summary: ')).toBe(true);
  expect(chat.content.description.split('\n')[0]).toBe(`*Summary:* ${summary.slice('Summary: '.length)}`);
  return { email, chat, lines: email.message.split('\n'), description: chat.content.description.split('\n') };
}

describe('REPEAT', () => {
  const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
  const note = repeatNote(planOf(finding, 'contain-instance'), { record, count: 4, ledgerTable: 'ledger', ledgerKey: 'incident#ir-0123456789abcdef' }, { finding, accountAlias: 'prod-web' });
  const { email, chat, lines, description } = both(note);

  it('email: the outcome, the severity, the resource, the account name and region in the subject (the playbook gives way); the summary first', () => {
    expect(email.subject).toBe('[GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) prod-web/us-east-1');
    expect(lines[0]).toBe(
      'Summary: i-0a1b2c3d4e5f60718 (web-01) in prod-web/us-east-1: CryptoCurrency:EC2/BitcoinTool.B occurred again, seen 4 times now (1 when last reported); nothing new was done',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'It was answered at 2026-11-22T07:00:05.000Z (enforce) by the first delivery. This delivery changed nothing.',
        '  Finding: CryptoCurrency:EC2/BitcoinTool.B, severity HIGH 8.0',
        '  Resource: i-0a1b2c3d4e5f60718 (web-01)',
        `  Account: prod-web (${finding.accountId}), region us-east-1`,
        '  Incident ledger: table ledger, key pk = "incident#ir-0123456789abcdef" (the plan and every step\'s outcome)',
        `  GuardDuty finding: https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=${finding.id}`,
        '  Console page of i-0a1b2c3d4e5f60718 (web-01): https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0a1b2c3d4e5f60718',
      ]),
    );
  });

  it('chat: the same note, in the incident thread', () => {
    expect(chat.content.title).toBe(':repeat: REPEAT: HIGH 8.0 seen 4 times i-0a1b2c3d4e5f60718 (web-01)');
    expect(chat.content.keywords).toEqual(['REPEAT', 'HIGH', 'contain-instance', 'prod-web', 'us-east-1']);
    expect(chat.metadata).toMatchObject({ threadId: 'ir-0123456789abcdef', eventType: 'GuardDutyIncidentResponseNote', relatedResources: ['i-0a1b2c3d4e5f60718', finding.id] });
    expect(description).toEqual(
      expect.arrayContaining([
        'It was answered at 2026-11-22T07:00:05.000Z (enforce) by the first delivery. This delivery changed nothing.',
        'Finding: CryptoCurrency:EC2/BitcoinTool.B, severity *HIGH 8.0*',
        `Account prod-web (${finding.accountId}), region us-east-1`,
        `GuardDuty finding: https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=${finding.id}`,
      ]),
    );
  });
});

describe('JOINED', () => {
  const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
  const note = joinNote(
    planOf(finding, 'contain-instance'),
    { record, resource: 'ec2-instance/i-0a1b2c3d4e5f60718', ledgerTable: 'ledger', ledgerKey: 'incident#ir-0123456789abcdef', findings: 3 },
    { finding },
  );
  const { email, chat, lines, description } = both(note);

  it('email: the incident, then the severity; what joined and that nothing new was done', () => {
    expect(email.subject).toBe('[GuardDuty IR JOINED] ir-0123456789abcdef: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us...');
    expect(lines[0]).toBe(
      `Summary: new finding CryptoCurrency:EC2/BitcoinTool.B about ec2-instance/i-0a1b2c3d4e5f60718 in ${finding.accountId}/us-east-1 joined incident ir-0123456789abcdef; nothing new was done`,
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'The incident was opened by finding f-first and answered at 2026-11-22T07:00:05.000Z (enforce).',
        'The incident now holds 3 findings, this one included.',
        'This finding changed nothing: no new containment, snapshot set or isolation. `ir release` of the incident covers it too.',
      ]),
    );
  });

  it('chat: the same lines, the backticks of ours turned into quotes like any text', () => {
    expect(chat.content.title).toBe(':link: JOINED: HIGH 8.0 ir-0123456789abcdef i-0a1b2c3d4e5f60718 (web-01)');
    expect(description).toEqual(
      expect.arrayContaining([
        'The incident was opened by finding f-first and answered at 2026-11-22T07:00:05.000Z (enforce).',
        "This finding changed nothing: no new containment, snapshot set or isolation. 'ir release' of the incident covers it too.",
      ]),
    );
  });
});

describe('BRAKE LATCHED', () => {
  const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
  const latch = {
    engagementId: 'eng-1',
    engagedAt: '2026-12-06T04:00:00.000Z',
    incidentId: 'ir-0123456789abcdef',
    findingId: finding.id,
    playbook: 'contain-instance',
    limit: 3,
    reason: '3 containments started within an hour',
  };

  it('with the engaging finding: its severity and resource, and the exact commands in both', () => {
    const { email, chat, lines, description } = both(brakeNote(latch, { ledgerTable: 'ledger', region: 'us-east-1', finding }));
    expect(email.subject).toBe('[GuardDuty IR BRAKE LATCHED] no more containments in us-east-1: HIGH 8.0 i-0a1b2c3d4e5f60718 (we...');
    expect(lines[0]).toBe(
      'Summary: Blast-radius brake latched at 2026-12-06T04:00:00.000Z: no more containments in us-east-1 until an operator releases it (3 containments started within an hour)',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'Commands',
        '  Check what was contained: ir brake status --region us-east-1',
        '  When it is understood, release it: ir brake release --region us-east-1 --reason "<why>"',
      ]),
    );
    expect(chat.content.title).toBe(':octagonal_sign: BRAKE LATCHED: HIGH 8.0 no more containments in us-east-1 i-0a1b2c3d4e5f60718 (web-01)');
    expect(chat.metadata.threadId).toBe('brake-eng-1');
    expect(description).toEqual(
      expect.arrayContaining([
        '*Commands*',
        'Check what was contained: `ir brake status --region us-east-1`',
        'When it is understood, release it: `ir brake release --region us-east-1 --reason "&lt;why&gt;"`',
      ]),
    );
  });

  it('another finding than the latch\'s is not described as the one that engaged it', () => {
    const note = brakeNote({ ...latch, findingId: 'another' }, { ledgerTable: 'ledger', region: 'us-east-1', finding });
    expect(note.severity).toBeUndefined();
    expect(note.resource).toBeUndefined();
    expect(renderNoteEmail(note).subject).toBe('[GuardDuty IR BRAKE LATCHED] no more containments in us-east-1: contain-instance');
  });
});

describe('MAY REPEAT', () => {
  const finding = findingOf('contain-instance/crypto-bitcoin-tool.event.json');
  const rendered = renderedNote(repeatNote(planOf(finding, 'contain-instance'), { record, count: 4, ledgerTable: 'ledger', ledgerKey: 'k' }, { finding }));

  it('the email: the mark and the outcome first, the severity kept, within SNS\'s limit; a first line that says so', () => {
    const sent = pendingToSend({ ...rendered, delivery: 'unknown' });
    expect(sent.subject).toBe('[MAY REPEAT] [GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222...');
    expect(sent.message.split('\n')[0]).toMatch(/^MAY REPEAT: an earlier attempt to send this notification was not answered by SNS/);
    expect(sent.message).toContain(rendered.message);
  });

  it('the chat copy: marked in its title, first line, keywords and summary', () => {
    const sent = pendingChatToSend({ ...rendered.chat, delivery: 'unknown' });
    expect(sent.subject).toBe(rendered.mayRepeatSubject);
    const chat = JSON.parse(sent.message) as ChatbotNotification;
    expectChatbotShape(chat);
    expect(chat.content.title).toBe(':repeat: MAY REPEAT :repeat: REPEAT: HIGH 8.0 seen 4 times i-0a1b2c3d4e5f60718 (web-01)');
    expect(chat.content.description.split('\n')[0]).toMatch(/^\*MAY REPEAT: an earlier attempt/);
    expect(chat.content.keywords[0]).toBe('MAY REPEAT');
    expect(chat.metadata.summary).toBe(rendered.mayRepeatSubject);
    expect(chat).toEqual(mayRepeatChat(JSON.parse(rendered.chat.message) as ChatbotNotification, rendered.mayRepeatSubject));
  });

  it('refused before (not delivered): sent as it was', () => {
    expect(pendingToSend({ ...rendered, delivery: 'rejected' })).toEqual({ subject: rendered.subject, message: rendered.message });
    expect(pendingChatToSend({ ...rendered.chat })).toEqual({ subject: rendered.chat.subject, message: rendered.chat.message });
  });
});
