import type { SNSClient } from '@aws-sdk/client-sns';
import type { Finding } from '../finding/schema';
import type { Announcer, Latch } from '../ledger/brake';
import { accountOf, linksOf } from './document';
import type { NoteDocument } from './note';
import { renderNoteEmail } from './note-email';
import { publishOnce } from './publish-once';
import { renderedNote } from './rendered';
import { primaryResourceOf } from './resources';
import { severityOf } from './severity';

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
  /** The finding of the response that may engage it: its severity, resource and account name the note when it is the latch's. */
  readonly finding?: Finding;
  /** The account's configured name (accountNames), as in the notifications. */
  readonly accountAlias?: string;
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

/** The announcement as a note document (lambda/notify/note.ts): raw values, escaped by each rendering. */
export function brakeNote(latch: Latch, context: BrakeAnnouncementContext): NoteDocument {
  const commands = brakeCommands(context);
  // Only the finding that engaged this latch describes it (another response's latch may be the one read back).
  const finding = context.finding?.id === latch.findingId ? context.finding : undefined;
  const resource = finding ? primaryResourceOf(finding) : undefined;
  const region = finding?.region ?? context.engagedIn ?? context.region;
  const account = accountOf({ accountId: finding?.accountId ?? null }, context.accountAlias ? { accountAlias: context.accountAlias } : {});
  const stops = context.shared ? `no containments in any region (home ${context.region})` : `no more containments in ${context.region}`;
  return {
    outcome: 'BRAKE LATCHED',
    headline: stops,
    ...(finding ? { severity: severityOf(finding.severity), findingType: finding.type } : {}),
    playbook: latch.playbook,
    findingId: latch.findingId,
    incidentId: latch.incidentId,
    account,
    region,
    ...(resource ? { resource } : {}),
    summary: `Blast-radius brake latched at ${latch.engagedAt}: ${stops} until an operator releases it (${latch.reason})`,
    details: [
      `Engaged by finding ${latch.findingId} (${latch.playbook}, incident ${latch.incidentId}).`,
      'From now on every response that would change something (every playbook but notify) is planned and reported but NOT executed, even after ' +
        "the hour's slots age out; responses already holding a slot may finish. Each refused response sends its own BRAKE ON notification.",
      ...(context.shared
        ? [
            `This brake is SHARED by every regional stack (blastRadius.homeRegion): it is held in the home region ${context.region}, ` +
              `table ${context.ledgerTable}${context.engagedIn ? `, and was latched by a response in ${context.engagedIn}` : ''}. ` +
              "It stops containments in every region; its release is announced on the home region's topic.",
          ]
        : []),
    ],
    facts: [
      { label: 'Brake table', value: `${context.ledgerTable}, region ${context.region}` },
      { label: 'Engaged at', value: latch.engagedAt },
      { label: 'Incident id', value: latch.incidentId },
    ],
    commands: [
      { label: 'Check what was contained', value: commands.status },
      { label: 'When it is understood, release it', value: commands.release },
    ],
    nextSteps: ['Check what was contained (brake status), decide whether the containments were right, then release the brake with a reason.'],
    links: finding ? linksOf({ region, findingId: finding.id }, finding, resource) : [],
    threadId: `brake-${latch.engagementId}`,
  };
}

export function formatBrakeAnnouncement(latch: Latch, context: BrakeAnnouncementContext): { subject: string; message: string } {
  return renderNoteEmail(brakeNote(latch, context));
}

/**
 * Publishes the announcement to the stack's topic, and its chat copy to the chat topic when the stack has one,
 * each once (publishOnce: never sent again when its answer is lost); the message ids are what the report shows.
 * The email must go out: its failure fails the announcement. A chat copy that could not go out is said in the
 * detail, as a response's own chat step is reported beside its email.
 */
export function brakeAnnouncer(sns: SNSClient, topicArn: string, context: BrakeAnnouncementContext, chatTopicArn?: string): Announcer {
  return async (latch) => {
    const rendered = renderedNote(brakeNote(latch, context));
    const [email, chat] = await Promise.allSettled([
      publishOnce(sns, topicArn, rendered),
      ...(chatTopicArn ? [publishOnce(sns, chatTopicArn, rendered.chat)] : []),
    ]);
    if (email!.status === 'rejected') throw email!.reason;
    const sent = `message ${email!.value ?? '(no id)'}`;
    if (!chat) return sent;
    return chat.status === 'fulfilled' ? `${sent}; chat message ${chat.value ?? '(no id)'}` : `${sent}; chat copy NOT sent (${errorText(chat.reason)})`;
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
