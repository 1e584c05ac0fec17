import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toStepError } from '../aws/errors';
import type { RestoreLedger } from '../ledger/restore-record';
import { safeSubject, untrusted } from '../text/untrusted';
import { closeResourceIncident, releasedIncidentLine } from './close-incident';
import type { ReleaseLedgerEntry, ReleaseNotification, ReleaseReport } from './report';

/*
 * After the restores: the release is recorded in the ledger (who, when,
 * what; closed when the whole containment is undone, so a later finding
 * about the instance opens a new incident), then the team is told on the
 * stack's topic. The ledger write is conditional on the record's revision,
 * so two releases do not both record (the second is reported as a conflict).
 */

export interface FinishInput {
  /** `resource`: the instance's resource key (lambda/ledger/incident-resource.ts), whose incident a whole release closes. */
  readonly ledger: { readonly restore: RestoreLedger; readonly key: string; readonly revision: number; readonly resource: string } | null;
  readonly operator: string;
  readonly completes: boolean;
  readonly notify: { readonly sns: SNSClient; readonly topicArn: string } | null;
  readonly now: () => Date;
}

async function recordRelease(report: ReleaseReport, input: FinishInput): Promise<ReleaseLedgerEntry | null> {
  if (!input.ledger) return null;
  const { restore, key, revision, resource } = input.ledger;
  const done = report.steps.filter((s) => s.status === 'done').map((s) => s.id);
  const whole = input.completes && report.summary.failed === 0;
  // The incident first: if it cannot be closed, the record stays open too, so that running the release again closes both.
  const incident = whole ? await closeResourceIncident(restore, resource) : undefined;
  const close = whole && incident?.status !== 'failed';
  try {
    const result = await restore.recordRelease(key, { by: input.operator, restored: done, revision, close, resource: { kind: 'instance', resourceId: report.instanceId } });
    if (result.status === 'recorded') return { table: restore.tableName, key, status: 'recorded', closed: close, at: result.at, ...(incident ? { incident } : {}) };
    const other = result.record?.released ? ` (released at ${result.record.released.at} by ${result.record.released.by})` : '';
    return { table: restore.tableName, key, status: 'conflict', detail: `the record changed since it was read${other}: this release is not recorded; read it again with ir release --dry-run` };
  } catch (error) {
    return { table: restore.tableName, key, status: 'failed', error: toStepError(error) };
  }
}

export function releaseMessage(report: ReleaseReport, ledger: ReleaseLedgerEntry | null): { subject: string; message: string } {
  const failed = report.summary.failed > 0;
  const subject = safeSubject(`[GuardDuty IR] ${failed ? 'INCOMPLETE release' : 'Released'}: instance ${report.instanceId} (${report.region})`);
  const lines = [
    `ir release of ${report.instanceId} in ${report.region}: ${report.summary.done} done, ${report.summary.skipped} skipped, ${report.summary.failed} failed.`,
    `Restored from: ${report.recordSource === 'ledger' ? 'the ledger' : "the instance's tags"}.`,
    ...(ledger ? [`Ledger ${ledger.table} ${ledger.key}: ${ledger.status}${ledger.closed ? ' (closed: the next finding opens a new incident)' : ''}.`] : []),
    ...(ledger?.incident ? [`Incident: ${releasedIncidentLine(ledger.incident)!}.`] : []),
    '',
    ...report.steps.map((s) => `- ${s.status}: ${untrusted(s.title)}${s.error ? ` -- ${s.error.code}: ${untrusted(s.error.message)}` : s.reason ? ` (${untrusted(s.reason)})` : ''}`),
    '',
    ...report.warnings.map((w) => `! ${untrusted(w, 2000)}`),
  ];
  return { subject, message: lines.join('\n') };
}

async function notify(report: ReleaseReport, ledger: ReleaseLedgerEntry | null, input: FinishInput): Promise<ReleaseNotification | null> {
  if (!input.notify) return null;
  const { subject, message } = releaseMessage(report, ledger);
  const { topicArn } = input.notify;
  try {
    const result = await input.notify.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    return { topicArn, status: 'sent', subject, ...(result.MessageId ? { messageId: result.MessageId } : {}) };
  } catch (error) {
    return { topicArn, status: 'failed', subject, error: toStepError(error) };
  }
}

export async function recordAndNotify(report: ReleaseReport, input: FinishInput): Promise<Pick<ReleaseReport, 'ledger' | 'notification'>> {
  const ledger = await recordRelease(report, input);
  const notification = await notify(report, ledger, input);
  return { ledger, notification };
}
