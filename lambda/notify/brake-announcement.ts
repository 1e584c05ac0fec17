import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Announcer, Latch } from '../ledger/brake';
import { RELEASE_COMMAND } from '../ledger/brake-verdict';
import { safeLine, safeSubject, untrusted as v, untrustedText as t } from '../text/untrusted';

/*
 * The one notification sent when the blast-radius brake latches: sent by
 * the response that engaged it, never per refused finding (each of those
 * still reports itself, BRAKE ON in its subject).
 */

export interface BrakeAnnouncementContext {
  readonly ledgerTable: string;
  /** The brake's region. */
  readonly region: string;
  /** Every regional stack shares this brake (blastRadius.homeRegion). */
  readonly shared?: boolean;
}

export function formatBrakeAnnouncement(latch: Latch, context: BrakeAnnouncementContext): { subject: string; message: string } {
  const where = context.shared ? 'any region' : v(context.region);
  const subject = safeSubject(`[GuardDuty IR BRAKE LATCHED] no more containments in ${where} until an operator releases it`);
  const lines = [
    `The blast-radius brake latched at ${v(latch.engagedAt)}: ${t(latch.reason)}.`,
    `Engaged by finding ${v(latch.findingId)} (${v(latch.playbook)}, incident ${v(latch.incidentId)}).`,
    '',
    'From now on every contain-instance and revoke-credentials response is planned and reported but NOT executed, even after',
    "the hour's slots age out; responses already holding a slot may finish. Each refused response sends its own BRAKE ON notification.",
    '',
    `Check what was contained: ir brake status (the ledger table ${v(context.ledgerTable)}, region ${v(context.region)}).`,
    `When it is understood, release it: ${RELEASE_COMMAND}`,
  ];
  return { subject, message: lines.map(safeLine).join('\n') };
}

/** Publishes the announcement to the stack's topic; the message id is what the report shows. */
export function brakeAnnouncer(sns: SNSClient, topicArn: string, context: BrakeAnnouncementContext): Announcer {
  return async (latch) => {
    const note = formatBrakeAnnouncement(latch, context);
    const result = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: note.subject, Message: note.message }));
    return `message ${result.MessageId ?? '(no id)'}`;
  };
}
