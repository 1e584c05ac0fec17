import { parseFindings } from '../../../lambda/finding/parse';
import { buildNotificationDocument } from '../../../lambda/notify/document';
import { renderEmail } from '../../../lambda/notify/message';
import type { StepDocument } from '../../../lambda/plan/document';
import type { StepOutcome } from '../../../lambda/plan/types';
import { loadFixture } from '../../support/fixtures';
import { planDocumentOf } from '../../support/plan-documents';

/*
 * A change made that contains nothing (quarantine-object: a tag the bucket
 * policy does not honour) is never told as DONE: the outcome, the subject and
 * the summary say NOT contained / NOT quarantined.
 */

const finding = parseFindings(loadFixture('quarantine-object/malicious-file.event.json'))[0]!;
const tag: StepDocument = {
  id: 'tag-object-version',
  title: 'Tag the version',
  action: 's3:PutObjectVersionTagging',
  iamActions: ['s3:PutObjectVersionTagging'],
  target: 's3://uploads-prod/x',
  parameters: {},
  mutating: true,
  why: 'malware',
  stage: 1,
  requires: [],
};

function emailOf(evidence: { contained: boolean }) {
  const outcome: StepOutcome = { id: tag.id, title: tag.title, action: 's3:PutObjectVersionTagging', target: tag.target, mutating: true, status: 'done', detail: 'tagged', evidence, durationMs: 3 };
  const notification = buildNotificationDocument(planDocumentOf(finding, 'quarantine-object', [tag]), [outcome], { finding });
  return { notification, email: renderEmail(notification) };
}

describe('a change that does not contain', () => {
  it('is DONE - NOT CONTAINED in the subject, and the summary says tagged but NOT quarantined', () => {
    const { notification, email } = emailOf({ contained: false });
    expect(notification.outcome).toBe('DONE - NOT CONTAINED');
    expect(email.subject.startsWith('[GuardDuty IR DONE - NOT CONTAINED] quarantine-object')).toBe(true);
    expect(notification.summary).toContain('object version tagged but NOT quarantined');
    expect(notification.nextSteps.join('\n')).toContain('tagged but NOT quarantined');
  });

  it('copy mode: DONE, the summary says copied and removed, the next step points at the copy', () => {
    const steps: StepDocument[] = ['copy-object-version', 'remove-object-version'].map((id) => ({ ...tag, id }));
    const outcomes: StepOutcome[] = steps.map((s) => ({ id: s.id, title: s.title, action: 's3:PutObject', target: s.target, mutating: true, status: 'done', durationMs: 3 }));
    const notification = buildNotificationDocument(planDocumentOf(finding, 'quarantine-object', steps), outcomes, { finding });
    expect(notification.outcome).toBe('DONE');
    expect(notification.summary).toContain('object version copied to the quarantine bucket, original version removed');
    expect(notification.nextSteps.join('\n')).toContain('The verified copy in the quarantine bucket is the evidence');
  });

  it('is DONE when the policy honours the tag', () => {
    const { notification } = emailOf({ contained: true });
    expect(notification.outcome).toBe('DONE');
    expect(notification.summary).toContain('object version tagged for the quarantine Deny');
  });
});
