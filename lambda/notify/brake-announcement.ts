import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Announcer, Latch } from '../ledger/brake';
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
  /** Every regional stack shares this brake (blastRadius.homeRegion): `region` is then the home region. */
  readonly shared?: boolean;
  /** The region whose response engaged it, whose stack's topic this goes to (a shared brake's may be another than its home). */
  readonly engagedIn?: string;
}

/**
 * The commands that check and release this brake. A shared one is in the home region's brake table, whichever
 * region latched it: named outright, so that an operator who reads this on a regional topic, or runs `ir` without
 * the deployment's configuration, reaches the brake that holds every region and not the region's own ledger.
 */
export function brakeCommands(context: BrakeAnnouncementContext): { status: string; release: string } {
  const where = context.shared ? ` --region ${context.region} --table ${context.ledgerTable}` : ` --region ${context.region}`;
  return { status: `ir brake status${where}`, release: `ir brake release${where} --reason "<why>"` };
}

export function formatBrakeAnnouncement(latch: Latch, context: BrakeAnnouncementContext): { subject: string; message: string } {
  const commands = brakeCommands(context);
  // A subject is cut at 99 characters: the shared brake's names its home region, where it is released, within them.
  const subject = safeSubject(
    context.shared
      ? `[GuardDuty IR BRAKE LATCHED] no containments in any region until released (home ${v(context.region)})`
      : `[GuardDuty IR BRAKE LATCHED] no more containments in ${v(context.region)} until an operator releases it`,
  );
  const lines = [
    `The blast-radius brake latched at ${v(latch.engagedAt)}: ${t(latch.reason)}.`,
    `Engaged by finding ${v(latch.findingId)} (${v(latch.playbook)}, incident ${v(latch.incidentId)}).`,
    '',
    'From now on every contain-instance and revoke-credentials response is planned and reported but NOT executed, even after',
    "the hour's slots age out; responses already holding a slot may finish. Each refused response sends its own BRAKE ON notification.",
    '',
    ...(context.shared
      ? [
          `This brake is SHARED by every regional stack (blastRadius.homeRegion): it is held in the home region ${v(context.region)}, ` +
            `table ${v(context.ledgerTable)}${context.engagedIn ? `, and was latched by a response in ${v(context.engagedIn)}` : ''}. ` +
            `It stops containments in every region; its release is announced on the home region's topic.`,
          '',
        ]
      : []),
    `Check what was contained: ${v(commands.status)} (the table ${v(context.ledgerTable)}, region ${v(context.region)}).`,
    `When it is understood, release it: ${v(commands.release)}`,
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
