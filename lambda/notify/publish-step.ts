import type { SNSClient } from '@aws-sdk/client-sns';
import { NOTIFICATION_CALL_LIMIT_MS } from '../plan/end-of-response';
import type { PlanDocument } from '../plan/document';
import { planStep, type PlannedStep, type StepSpec } from '../plan/types';
import { renderChat } from './chat';
import { buildNotificationDocument, type NotificationContext } from './document';
import { formatNotification } from './message';
import { publishOnce } from './publish-once';
import { subjectOfDocument } from './subject';
import { safeSubject } from '../text/untrusted';
import { APPROVAL_REQUEST_STEP_ID } from '../approval/step-ids';
import { approvalLinksIn } from '../approval/links-in-output';

/** Publishing to the KMS-encrypted topic needs the key as well as the topic. */
export const PUBLISH_NOTIFICATION: StepSpec = {
  kind: 'publish-notification',
  iamActions: ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt'],
  mutating: false,
};

export const NOTIFICATION_STEP_ID = 'notify';

/** The context as given, or one still settling (the account's alias, bounded: lambda/notify/account-alias.ts), awaited when the step runs. */
export type NotificationContextSource = NotificationContext | (() => Promise<NotificationContext>);

export async function contextOf(source: NotificationContextSource | undefined): Promise<NotificationContext | undefined> {
  return typeof source === 'function' ? source() : source;
}

/**
 * The chat copy (AWS Chatbot custom notification JSON) on the chat topic. Read-only for the retry policy: the
 * email is the notification that must get through and fails the invocation when it cannot; a chat message that
 * could not be published is in the report, and is not worth repeating every action for.
 */
export const PUBLISH_CHAT_NOTIFICATION: StepSpec = { ...PUBLISH_NOTIFICATION, kind: 'publish-chat-notification' };

export const CHAT_NOTIFICATION_STEP_ID = 'notify-chat';

/** Renders one notification of the report as it stands when the step runs. */
type Render = (doc: PlanDocument, outcomes: Parameters<typeof formatNotification>[1], context: NotificationContext | undefined) => { subject: string; message: string };

/** The run of every notification step: skipped when told to or with no topic, else rendered from the outcomes so far and published once. */
function publishRendered(
  target: { doc: () => PlanDocument; topicArn: string | undefined; sns: SNSClient | undefined; skipReason: string | undefined; context: NotificationContextSource | undefined; sent: string },
  render: Render,
): PlannedStep['run'] {
  const { doc, topicArn, sns, skipReason, context, sent } = target;
  return async (ctx) => {
    if (skipReason) return { status: 'skipped', reason: skipReason };
    if (!topicArn) return { status: 'skipped', reason: 'no SNS topic configured (set --topic-arn or IR_TOPIC_ARN)' };
    // The decision links the wait's request step signed (lambda/respond/wait.ts), when it did.
    const links = approvalLinksIn(ctx.outputs.get(APPROVAL_REQUEST_STEP_ID));
    const settled = await contextOf(context);
    const { subject, message } = render(doc(), ctx.outcomes, links ? { ...settled, approvalLinks: links } : settled);
    const messageId = await publishOnce(sns ?? ctx.clients.sns, topicArn, { subject, message });
    return { status: 'done', detail: `${sent} ${messageId ?? '(no id)'}` };
  };
}

/** What one kind of notification step says of itself; the rest of the step is the same for all. */
export interface NotificationStepParts {
  readonly topicArn: string | undefined;
  /** Placeholders for the plan: the text is only known once the steps before it have run. */
  readonly subject: string;
  readonly message: string;
  readonly why: string;
  readonly stage: number;
  readonly run: PlannedStep['run'];
  /** Defaults to the email notification's. */
  readonly spec?: StepSpec;
  readonly id?: string;
  readonly title?: string;
}

/**
 * A step that publishes to the topic: it runs past the deadline, since every
 * response must be heard of, and bounds its one Publish itself (publishOnce).
 */
export function publishStep(parts: NotificationStepParts): PlannedStep {
  const { topicArn } = parts;
  return planStep(parts.spec ?? PUBLISH_NOTIFICATION, {
    id: parts.id ?? NOTIFICATION_STEP_ID,
    title: parts.title ?? 'Notify the security team',
    action: 'sns:Publish',
    target: topicArn ?? '(no topic configured)',
    parameters: { TopicArn: topicArn ?? null, Subject: parts.subject, Message: parts.message },
    why: parts.why,
    stage: parts.stage,
    runsPastDeadline: true,
    ownTimeLimitMs: NOTIFICATION_CALL_LIMIT_MS,
    run: parts.run,
  });
}

/**
 * The last step of every plan. It reports the outcomes of every step before
 * it, so it runs even when guards block the mutating steps.
 */
/**
 * @param sns the client of the account that owns the topic (the security
 *   account), which is not the account a cross-account playbook acts in;
 *   defaults to the execution's clients.
 * @param skipReason set when this run must not notify anyone (the daily
 *   heartbeat): the step is reported skipped with this reason.
 * @param context the finding and the account's name, for the notification
 *   document (lambda/notify/document.ts).
 */
export function notificationStep(
  doc: () => PlanDocument,
  topicArn: string | undefined,
  stage: number,
  sns?: SNSClient,
  skipReason?: string,
  context?: NotificationContextSource,
): PlannedStep {
  return publishStep({
    topicArn,
    subject: '<summary of the outcome>',
    message: '<report of every step>',
    why: 'every response, and every refusal to respond, is reported',
    stage,
    run: publishRendered({ doc, topicArn, sns, skipReason, context, sent: 'message' }, formatNotification),
  });
}

/**
 * The same notification for chat, on the chat topic an AWS Chatbot channel
 * configuration subscribes to (lib/chat-notifications.ts): only planned when
 * the stack has one. Same stage as the email, built from the same document.
 */
export function chatNotificationStep(
  doc: () => PlanDocument,
  chatTopicArn: string,
  stage: number,
  sns?: SNSClient,
  skipReason?: string,
  context?: NotificationContextSource,
): PlannedStep {
  return publishStep({
    spec: PUBLISH_CHAT_NOTIFICATION,
    id: CHAT_NOTIFICATION_STEP_ID,
    title: 'Notify the security team in chat',
    topicArn: chatTopicArn,
    subject: '<summary of the outcome>',
    message: '<AWS Chatbot custom notification JSON of the same report>',
    why: 'the team\'s chat channel hears of every response too (AWS Chatbot)',
    stage,
    run: publishRendered({ doc, topicArn: chatTopicArn, sns, skipReason, context, sent: 'chat message' }, (plan, outcomes, notificationContext) => {
      const notification = buildNotificationDocument(plan, outcomes, notificationContext);
      return { subject: safeSubject(subjectOfDocument(notification)), message: JSON.stringify(renderChat(notification)) };
    }),
  });
}
