import fc from 'fast-check';
import { OUTCOMES, type NotificationDocument } from '../../../lambda/notify/document';
import { severityOf } from '../../../lambda/notify/severity';
import { subjectOfDocument } from '../../../lambda/notify/subject';
import { safeSubject } from '../../../lambda/text/untrusted';

/*
 * The subject within SNS's limit, whatever the values: the outcome and the
 * severity (label and number) are always there, whole; what is shortened is
 * the least useful part first.
 */

const text = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\u202e', 'é', '\u2028', '<', '@', ' '), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 150 });

function notificationOf(over: Partial<NotificationDocument>): NotificationDocument {
  return {
    outcome: 'DONE',
    severity: severityOf(8),
    playbook: 'contain-instance',
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B',
    findingId: 'f',
    incidentId: 'ir-1',
    account: { id: '222222222222', shown: '222222222222' },
    region: 'eu-west-1',
    summary: '',
    finding: { facts: [] },
    resources: [],
    route: { ruleId: 'r', why: 'w' },
    blocked: [],
    changes: [],
    steps: [],
    failedReads: [],
    investigation: [],
    couldNotDo: [],
    nextSteps: [],
    links: [],
    warnings: [],
    exposed: [],
    failedChanges: [],
    counts: { done: 0, skipped: 0, failed: 0 },
    ...over,
  };
}

describe('subjectOfDocument', () => {
  it('keeps the outcome and the severity whole, within 99 printable ASCII characters, whatever the rest holds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OUTCOMES),
        fc.double({ min: 0, max: 10, noNaN: true }),
        text,
        text,
        text,
        fc.array(fc.stringMatching(/^eni-[0-9a-f]{17}$/), { maxLength: 6 }),
        fc.array(fc.constantFrom('isolate', 'deregister', 'snapshot-volumes', 'detach-from-auto-scaling-group'), { maxLength: 4 }),
        (outcome, severity, type, label, alias, exposed, failed) => {
          const doc = notificationOf({
            outcome,
            severity: severityOf(severity),
            findingType: type,
            resource: { kind: 'Instance', id: 'i-0a1b2c3d4e5f60718', label },
            account: { id: '222222222222', alias, shown: alias },
            exposed,
            failedChanges: failed,
          });
          const subject = subjectOfDocument(doc);
          expect(subject.length).toBeLessThanOrEqual(99);
          expect(subject).toMatch(/^[\x20-\x7e]+$/);
          expect(subject.startsWith(`[GuardDuty IR ${outcome}] `)).toBe(true);
          expect(subject).toContain(`: ${severityOf(severity).text}`);
          // What SNS gets is the same text: nothing left for safeSubject to change.
          expect(safeSubject(subject)).toBe(subject);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names every ENI left more exposed before anything else that can be shortened', () => {
    const exposed = ['eni-0aaaaaaaaaaaaaaa1', 'eni-0bbbbbbbbbbbbbbb2'];
    const subject = subjectOfDocument(notificationOf({ outcome: 'MORE EXPOSED THAN BEFORE', exposed, resource: { kind: 'Instance', id: 'i-1', label: 'i-0a1b2c3d4e5f60718 (web-01)' } }));
    expect(subject).toBe(`[GuardDuty IR MORE EXPOSED THAN BEFORE] ${exposed.join(' ')}: HIGH 8.0`);
  });

  it('shortens the finding type first, then the account and region, then the resource', () => {
    const long = notificationOf({ resource: { kind: 'Lambda', id: 'f', label: `function ${'f'.repeat(40)}` }, account: { id: '1', alias: 'a'.repeat(30), shown: 'a'.repeat(30) } });
    expect(subjectOfDocument(notificationOf({}))).toBe('[GuardDuty IR DONE] contain-instance: HIGH 8.0 222222222222/eu-west-1 CryptoCurrency:EC2/Bitcoin...');
    expect(subjectOfDocument(long)).toBe(`[GuardDuty IR DONE] contain-instance: HIGH 8.0 function ${'f'.repeat(40)}`);
  });

  it('labels severity by GuardDuty\'s bands, with the number', () => {
    expect([0, 1, 3.9, 4, 6.9, 7, 8.9, 9, 10, 5.55].map((s) => severityOf(s).text)).toEqual([
      'LOW 0.0',
      'LOW 1.0',
      'LOW 3.9',
      'MEDIUM 4.0',
      'MEDIUM 6.9',
      'HIGH 7.0',
      'HIGH 8.9',
      'CRITICAL 9.0',
      'CRITICAL 10.0',
      'MEDIUM 5.55',
    ]);
  });
});
