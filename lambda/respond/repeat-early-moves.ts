import type { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { publishOnce } from '../notify/publish-once';
import { Acting } from './act';
import { exposedBy } from '../plan/exposed';
import { BEING_ANSWERED, JOINED_INCIDENT } from '../ledger/verdicts';
import { REPEAT_DELIVERY } from '../plan/repeat-delivery';
import type { StepOutcome } from '../plan/types';
import type { FirstSteps } from '../playbooks/types';
import { safeLine, safeSubject } from '../text/untrusted';

/*
 * A delivery that lost the incident's claim, or found the incident answered
 * (a `repeat`), may already have sent contain-instance's early moves: they go
 * out beside the claim (lambda/playbooks/contain-instance/early/). Their own
 * steps run once more. While another delivery holds the incident (or the
 * instance's open incident joined it), under REPEAT_DELIVERY: an interface is
 * never put back on the groups it had (the holder reports it isolated, and
 * relies on that move): it stays on, or is sent again to, the isolation
 * group. When the incident was answered before (released since, perhaps),
 * the moves were never wanted: they are undone like any stop, back to the
 * groups the read before them saw. A stop this delivery's own checks found
 * before its isolation move put it back at once (early-move.ts).
 *
 * The repeat's short note says nothing of them (and the holder may send none
 * for it), so what they did goes to the security team in a notification of
 * its own, besides the log.
 */

export interface RepeatEarlyMoves {
  readonly first: FirstSteps;
  readonly clients: AwsClients;
  readonly now: () => Date;
  readonly deadlineMs: number | undefined;
  readonly incidentId: string;
  readonly findingId: string;
  readonly topicArn: string | undefined;
  readonly sns: SNSClient | undefined;
  /**
   * The ledger's verdicts on this delivery. Another delivery holds the incident now (being answered), or the instance's
   * open incident joined it: the holder relies on the isolation move, so nothing is put back (REPEAT_DELIVERY). The
   * incident was answered before (answered, or released since): these moves were never wanted, and are undone like any
   * stop, back to the groups the read before them saw.
   */
  readonly verdictIds: readonly string[];
}

/** Verdicts under which another delivery holds the instance isolated and relies on it. */
const HOLDER_RELIES_ON_ISOLATION: readonly string[] = [BEING_ANSWERED, JOINED_INCIDENT];

/** Runs the early moves' steps of a repeat and says what they did; the outcomes (none: no early move was sent). */
export async function answerRepeatEarlyMoves(args: RepeatEarlyMoves): Promise<StepOutcome[]> {
  const early = args.first.steps.filter((s) => s.earlyChange);
  if (early.length === 0) return [];
  const leftToHolder = args.verdictIds.some((id) => HOLDER_RELIES_ON_ISOLATION.includes(id));
  const blockedBy = leftToHolder ? [REPEAT_DELIVERY] : [...args.verdictIds];
  const outcomes = await new Acting(args.clients, args.now, undefined, args.deadlineMs).act(early, { document: { blockedBy } });
  const message = leftToHolder
    ? 'early moves sent by a delivery of an incident another delivery holds: left to the holder, never put back'
    : 'early moves sent by a delivery of an incident answered before: undone, back to the groups the read before them saw';
  console.error(JSON.stringify({ level: 'ERROR', message, incidentId: args.incidentId, outcomes }));
  if (!args.topicArn) return outcomes;
  try {
    await publishOnce(args.sns ?? args.clients.sns, args.topicArn, repeatEarlyMovesNotification(args.incidentId, args.findingId, outcomes, leftToHolder));
  } catch (error) {
    const { code, message } = toStepError(error);
    console.error(JSON.stringify({ level: 'ERROR', message: 'the notification of a repeat delivery\'s early moves could not be published', incidentId: args.incidentId, code, error: message }));
  }
  return outcomes;
}

/** The notification: what each early step of the repeat ended as. Values from the finding or AWS are made safe for one line each. */
export function repeatEarlyMovesNotification(incidentId: string, findingId: string, outcomes: readonly StepOutcome[], leftToHolder = true): { subject: string; message: string } {
  const exposed = exposedBy(outcomes);
  const subject = exposed.length > 0 ? `MORE EXPOSED THAN BEFORE: early moves of a second delivery, incident ${incidentId}` : `EARLY MOVES OF A SECOND DELIVERY: incident ${incidentId}`;
  const lines = [
    `A second delivery of finding ${findingId} (incident ${incidentId}) sent contain-instance's early moves before the incident ledger told it that another delivery holds or answered the incident.`,
    leftToHolder
      ? 'It never puts an interface back on the groups it had: the delivery that holds the incident relies on the isolation move. What its steps did:'
      : 'The incident was answered before (and may have been released since): these moves were undone, back to the groups the read before them saw. What its steps did:',
    ...outcomes.map((o) => `- ${o.id}: ${o.status.toUpperCase()}${o.detail ? `: ${o.detail}` : ''}${o.reason ? `: ${o.reason}` : ''}${o.error ? `: ${o.error.code}: ${o.error.message}` : ''}`),
    ...(exposed.length > 0 ? [`MORE EXPOSED THAN BEFORE: ${exposed.join(', ')} may be on the allow-all untrack group: move it to the isolation group by hand now.`] : []),
    `The incident's own notification comes from the delivery that holds it (incident ${incidentId} in the ledger).`,
  ];
  return { subject: safeSubject(subject), message: lines.map(safeLine).join('\n') };
}
