import { buildNotificationDocument } from '../../../lambda/notify/document';
import { subjectOfDocument } from '../../../lambda/notify/subject';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { StepApproval } from '../../../lambda/approval/types';
import { REFUSED_BY_POLICY } from '../../../lambda/approval/held';
import type { ApprovalLinks } from '../../../lambda/approval/link';
import { APPROVAL_REQUEST_STEP_ID } from '../../../lambda/approval/step-ids';
import type { ApprovalState, StepDocument } from '../../../lambda/plan/document';
import type { IamAction, StepOutcome } from '../../../lambda/plan/types';
import { loadFixture } from '../../support/fixtures';
import { planDocumentOf } from '../../support/plan-documents';

/*
 * The outcome word of a response whose changes needed a person's decision
 * (lambda/notify/withheld.ts): its evidence steps (snapshots) change the
 * account and run whatever the decision, so without it a denial, a stand-down,
 * an approved change the policy now refuses, or a run that could not wait would
 * all read DONE. Exact subjects, built as the notification step builds them.
 */

const finding: Finding = parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'))[0]!;
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const ENI = 'eni-0f1e2d3c4b5a69788';
const PLAN = 'a'.repeat(64);

const approve = (changeClass: StepApproval['changeClass']): StepApproval => ({ mode: 'approve', changeClass, ruleId: 'prod', why: 'env=prod needs a person' });
const auto = (changeClass: StepApproval['changeClass']): StepApproval => ({ mode: 'auto', changeClass, ruleId: 'default', why: 'the default' });

function step(id: string, action: IamAction, approval?: StepApproval): StepDocument {
  return { id, title: id, action, iamActions: [action], target: INSTANCE, parameters: {}, mutating: true, why: 'why', stage: 1, requires: [], ...(approval ? { approval } : {}) };
}

const snapshot = step('snapshot-volumes', 'ec2:CreateSnapshots');
const isolate = step(`isolate:${ENI}`, 'ec2:ModifyNetworkInterfaceAttribute', approve('isolate'));
const request: StepDocument = { ...step(APPROVAL_REQUEST_STEP_ID, 'dynamodb:PutItem'), stage: 2 };
const sessions = step('revoke-role-sessions', 'iam:PutRolePolicy', auto('revoke-sessions'));

function outcome(s: StepDocument, status: StepOutcome['status'], reason?: string): StepOutcome {
  return { id: s.id, title: s.title, action: s.action as IamAction, target: s.target, mutating: true, status, durationMs: 1, ...(reason ? { reason } : {}) };
}

function notified(approval: ApprovalState, steps: readonly StepDocument[], outcomes: readonly StepOutcome[], approvalLinks?: ApprovalLinks) {
  const doc = planDocumentOf(finding, 'contain-instance', steps, { approval });
  const notification = buildNotificationDocument(doc, outcomes, { finding, ...(approvalLinks ? { approvalLinks } : {}) });
  return { subject: subjectOfDocument(notification), summary: notification.summary, notification };
}

const decided = (status: ApprovalState['status'], more: Partial<ApprovalState> = {}): ApprovalState => ({
  status,
  planHash: PLAN,
  steps: [isolate.id],
  deadline: '2026-12-06T13:00:00.000Z',
  onTimeout: 'stand-down',
  ...more,
});

const TAIL = `: HIGH 8.0 ${INSTANCE}`;

describe('the subject of a response whose changes needed a decision', () => {
  it('denied, with only the evidence made: DENIED - NOT CONTAINED, and the summary never says isolated', () => {
    const { subject, summary } = notified(decided('denied', { decision: { by: 'arn:aws:iam::111111111111:user/alice', at: '2026-12-06T12:10:00.000Z', channel: 'cli' } }), [snapshot, isolate], [
      outcome(snapshot, 'done'),
      outcome(isolate, 'skipped', 'denied by arn:aws:iam::111111111111:user/alice (cli)'),
    ]);
    expect(subject.startsWith(`[GuardDuty IR DENIED - NOT CONTAINED] contain-instance${TAIL}`)).toBe(true);
    expect(summary).toContain(' NOT isolated, 0 volumes snapshotted: 1 done, 0 failed, 1 skipped');
  });

  it('denied, with a change the policy let run at once made: DENIED - PARTLY CONTAINED', () => {
    const { subject } = notified(decided('denied'), [snapshot, sessions, isolate], [outcome(snapshot, 'done'), outcome(sessions, 'done'), outcome(isolate, 'skipped', 'denied')]);
    expect(subject.startsWith(`[GuardDuty IR DENIED - PARTLY CONTAINED] contain-instance${TAIL}`)).toBe(true);
  });

  it('no decision by the deadline, onTimeout stand-down: STOOD DOWN - NOT CONTAINED', () => {
    const { subject } = notified(decided('timed-out-stood-down'), [snapshot, isolate], [outcome(snapshot, 'done'), outcome(isolate, 'skipped', 'no decision by 2026-12-06T13:00:00.000Z: the responder stood down, as configured')]);
    expect(subject.startsWith(`[GuardDuty IR STOOD DOWN - NOT CONTAINED] contain-instance${TAIL}`)).toBe(true);
  });

  it('approved, but the policy now says never to the change: POLICY SAYS NEVER - NOT CONTAINED', () => {
    const refused = { ...isolate, approval: { ...isolate.approval!, mode: 'never' as const, ruleId: 'no-isolation' } };
    const { subject, summary } = notified(decided('approved', { detail: `not made, the approval policy now says never: ${isolate.id} (rule no-isolation)` }), [snapshot, refused], [
      outcome(snapshot, 'done'),
      outcome(refused, 'skipped', `${REFUSED_BY_POLICY} (rule no-isolation)`),
    ]);
    expect(subject.startsWith(`[GuardDuty IR POLICY SAYS NEVER - NOT CONTAINED] contain-instance${TAIL}`)).toBe(true);
    expect(summary).toContain(' NOT isolated');
  });

  it('approved at the deadline (onTimeout act) with one approved change refused now and one made: POLICY SAYS NEVER - PARTLY CONTAINED', () => {
    const other = step('isolate:eni-0aaaaaaaaaaaaaaa1', 'ec2:ModifyNetworkInterfaceAttribute', approve('isolate'));
    const refused = { ...isolate, approval: { ...isolate.approval!, mode: 'never' as const } };
    const { subject, summary } = notified(decided('timed-out-acted', { steps: [isolate.id, other.id] }), [snapshot, refused, other], [
      outcome(snapshot, 'done'),
      outcome(refused, 'skipped', `${REFUSED_BY_POLICY} (rule prod)`),
      outcome(other, 'done'),
    ]);
    // The longest outcome: never shortened; the resource gives way to it (within SNS's 99 characters).
    expect(subject).toBe(`[GuardDuty IR POLICY SAYS NEVER - PARTLY CONTAINED] contain-instance: HIGH 8.0 ${INSTANCE.slice(0, 17)}...`);
    expect(summary).toContain(' NOT isolated (1 of 2 network interfaces not approved)');
  });

  it('approved and made: DONE, isolated', () => {
    const { subject, summary } = notified(decided('approved'), [snapshot, isolate], [outcome(snapshot, 'done'), outcome(isolate, 'done')]);
    expect(subject.startsWith(`[GuardDuty IR DONE] contain-instance${TAIL}`)).toBe(true);
    expect(summary).toContain(' isolated, ');
  });

  it('a run that cannot wait says so, never AWAITING APPROVAL (nothing waits): NEEDS APPROVAL - NOT CONTAINED', () => {
    const { subject } = notified(decided('cannot-wait', { detail: 'no schedule group to bound the wait' }), [snapshot, isolate], [
      outcome(snapshot, 'done'),
      outcome(isolate, 'skipped', 'awaits approval (rule prod), and this run cannot wait for one: no schedule group to bound the wait'),
    ]);
    expect(subject.startsWith(`[GuardDuty IR NEEDS APPROVAL - NOT CONTAINED] contain-instance${TAIL}`)).toBe(true);
  });

  const ALICE = { by: 'arn:aws:iam::111111111111:user/alice', at: '2026-12-06T12:10:00.000Z', channel: 'cli' };

  it('approved and made: the lead says the decided changes ran', () => {
    const { notification } = notified(decided('approved', { decision: ALICE }), [snapshot, isolate], [outcome(snapshot, 'done'), outcome(isolate, 'done')]);
    expect(notification.lead).toBe(`APPROVED by ${ALICE.by} (cli, ${ALICE.at}): ${isolate.id} ran on plan ${PLAN}, after the resource was read again.`);
  });

  it('approved, but the decided change failed: the lead never says it ran', () => {
    const failed = { ...outcome(isolate, 'failed'), error: { code: 'UnauthorizedOperation', message: 'not allowed', retryable: false } };
    const { notification } = notified(decided('approved', { decision: ALICE }), [snapshot, isolate], [outcome(snapshot, 'done'), failed]);
    expect(notification.lead).toBe(`APPROVED by ${ALICE.by} (cli, ${ALICE.at}), but NOT ALL RUN: none of the decided changes of plan ${PLAN} ran; FAILED: ${isolate.id} (UnauthorizedOperation: not allowed).`);
  });

  it.each([
    ['approved', `APPROVED by ${'arn:aws:iam::111111111111:user/alice'} (cli, 2026-12-06T12:10:00.000Z)`],
    ['timed-out-acted', 'NO DECISION BY 2026-12-06T13:00:00.000Z: as configured, the responder acted'],
  ] as const)('%s, but a guard blocked the resumed act: "but NOT RUN", with the guard, never "ran"', (state, head) => {
    const guard = { id: 'finding-archived', blocks: true, reason: 'the finding was archived since' };
    const doc = planDocumentOf(finding, 'contain-instance', [snapshot, isolate], { approval: decided(state, state === 'approved' ? { decision: ALICE } : {}), guards: [guard], blockedBy: [guard.id] });
    const notification = buildNotificationDocument(doc, [outcome(isolate, 'skipped', 'blocked')], { finding });
    expect(notification.lead).toBe(`${head}, but NOT RUN: finding-archived: the finding was archived since. None of ${isolate.id} was made (plan ${PLAN}).`);
    expect(notification.lead).not.toContain(' ran on ');
  });

  const waitingIsolate = outcome(isolate, 'skipped', `awaits approval (rule prod): plan ${PLAN}, until 2026-12-06T13:00:00.000Z`);

  it('still waiting: AWAITING APPROVAL, with the plan the buttons and links bind to', () => {
    const { subject, notification } = notified(decided('awaiting'), [snapshot, isolate, request], [outcome(snapshot, 'done'), waitingIsolate, outcome(request, 'done')]);
    expect(subject.startsWith(`[GuardDuty IR AWAITING APPROVAL] contain-instance${TAIL}`)).toBe(true);
    expect(notification.approvalRequest).toEqual({ planHash: PLAN });
  });

  it.each([
    ['failed', { status: 'failed' as const, error: { code: 'ProvisionedThroughputExceededException', message: 'Rate exceeded', retryable: true } }, 'ProvisionedThroughputExceededException: Rate exceeded'],
    ['skipped', { status: 'skipped' as const, reason: 'another request for incident x is pending (plan b): it stands' }, 'another request for incident x is pending (plan b): it stands'],
  ])('the request was not written (%s): never AWAITING APPROVAL, no deadline said, no buttons or links', (_name, result, why) => {
    const { subject, notification } = notified(decided('awaiting'), [snapshot, isolate, request], [outcome(snapshot, 'done'), waitingIsolate, { ...outcome(request, result.status), ...result }], {
      approve: 'https://x/a',
      deny: 'https://x/d',
    });
    // A failed request is also named as a failed change ("FAILED approval").
    expect(subject.startsWith('[GuardDuty IR NEEDS APPROVAL - NOT CONTAINED] contain-instance')).toBe(true);
    expect(notification.approvalRequest).toBeUndefined();
    expect(notification.lead).toBe(
      `NOT RUN, NEEDS APPROVAL: the steps ${isolate.id} need a person's decision, and this run cannot wait for one (the request for a decision was not recorded (${why}): ` +
        'nothing waits, no deadline is set, and no approval can be given; a new delivery of the finding asks again).',
    );
    expect(notification.lead).not.toContain('2026-12-06T13:00:00.000Z');
  });
});
