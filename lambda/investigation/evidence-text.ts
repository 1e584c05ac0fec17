import type { StepEvidence } from '../plan/types';
import {
  investigationEvidenceSchema,
  type CloudTrailEvidence,
  type Counted,
  type InvestigationEvidence,
  type KeyLastUsedEvidence,
  type ServicesAccessedEvidence,
} from './evidence';

/*
 * Evidence in words: `full` for the notification email (one fact per line),
 * `compact` for the terminal (one line per step). Evidence this module does
 * not know is printed as JSON rather than dropped.
 */

export type EvidenceStyle = 'full' | 'compact';

// Events of IAM, STS's global endpoint and other global services are recorded in us-east-1 only.
const GLOBAL_EVENTS_REGION = 'us-east-1';

function counted(items: readonly Counted[], more: number, what: string, withCounts = true): string {
  const listed = items.map((c) => (withCounts ? `${c.value} ${c.count}` : c.value)).join(', ');
  return more > 0 ? `${listed} (+${more} more ${what})` : listed;
}

function keyLastUsedLines(e: KeyLastUsedEvidence, style: EvidenceStyle): string[] {
  const owner = e.userName ? ` (owner ${e.userName})` : '';
  if (e.lastUsedDate === null) {
    return [style === 'full' ? `Access key ${e.accessKeyId}${owner}: IAM has no record of it ever being used` : `key ${e.accessKeyId}: never used`];
  }
  const where = [e.serviceName, e.region].filter((v): v is string => v !== null);
  if (style === 'compact') return [`key ${e.accessKeyId}: last used ${e.lastUsedDate}${where.length > 0 ? ` (${where.join(', ')})` : ''}`];
  return [`Access key ${e.accessKeyId}${owner}: last used ${e.lastUsedDate}, service ${e.serviceName ?? 'unknown'}, region ${e.region ?? 'unknown'}`];
}

function servicesLines(e: ServicesAccessedEvidence, style: EvidenceStyle): string[] {
  if (e.jobStatus === 'IN_PROGRESS') {
    const later = `aws iam get-service-last-accessed-details --job-id ${e.jobId}`;
    return style === 'compact'
      ? [`services accessed: IAM job ${e.jobId} not finished after ${e.polls} polls`]
      : [`Services accessed by ${e.principalArn}: IAM's report (job ${e.jobId}) was not ready after ${e.polls} polls; read it later: ${later}`];
  }
  const truncated = e.reportTruncated ? " (IAM's report was truncated)" : '';
  if (style === 'compact') {
    const names = e.services.map((s) => `${s.serviceNamespace} ${s.lastAuthenticated}`).join(', ');
    const more = e.moreServices > 0 ? `, +${e.moreServices} more` : '';
    return [`services accessed: ${e.servicesAccessed}${e.servicesAccessed > 0 ? ` (${names}${more})` : ''}${truncated}`];
  }
  const head = `Services accessed by ${e.principalArn} (IAM last-accessed data, which can lag by up to 4 hours): ${e.servicesAccessed}${truncated}`;
  if (e.servicesAccessed === 0) return [`${head}, none on record`];
  return [
    `${head}, most recent first:`,
    ...e.services.map((s) => `  - ${s.serviceName} (${s.serviceNamespace}): ${s.lastAuthenticated}${s.lastAuthenticatedRegion ? ` in ${s.lastAuthenticatedRegion}` : ''}`),
    ...(e.moreServices > 0 ? [`  - and ${e.moreServices} more`] : []),
  ];
}

function stopText(e: CloudTrailEvidence, style: EvidenceStyle): string | null {
  if (e.complete) return null;
  const why =
    e.stoppedBy === 'page-cap'
      ? style === 'full' ? `stopped at the cap of ${e.pagesRead} pages` : 'page cap'
      : e.stoppedBy === 'time-budget'
        ? style === 'full' ? 'stopped by the time budget' : 'time budget'
        : `page ${e.pagesRead + 1} failed: ${e.stopError?.code ?? 'unknown error'}${style === 'full' && e.stopError ? `: ${e.stopError.message}` : ''}`;
  return `partial: ${e.eventsRead} events read (${why})`;
}

function cloudTrailLines(e: CloudTrailEvidence, style: EvidenceStyle): string[] {
  const region = e.region ?? 'the function region';
  const partial = stopText(e, style);
  if (style === 'compact') {
    const parts = [`cloudtrail ${region} ${e.startTime} → ${e.endTime}: ${e.eventsRead} events`];
    if (e.eventsRead > 0) {
      parts.push(counted(e.eventNames, e.moreEventNames, 'names'), `${e.firstEventTime} → ${e.lastEventTime}`);
      if (e.sourceIps.length > 0) parts.push(`IPs ${counted(e.sourceIps, e.moreSourceIps, 'IPs', false)}`);
    }
    return [[parts.join(', '), partial].filter((p): p is string => p !== null).join('; ')];
  }
  const lines = [`CloudTrail management events made with key ${e.accessKeyId} in ${region}, ${e.startTime} to ${e.endTime}: ${e.eventsRead}${partial ? ` (${partial})` : ''}`];
  if (e.eventsRead > 0) {
    lines.push(
      `  by name: ${counted(e.eventNames, e.moreEventNames, 'names')}`,
      `  first ${e.firstEventTime}, last ${e.lastEventTime}`,
      `  source IPs: ${e.sourceIps.length > 0 ? counted(e.sourceIps, e.moreSourceIps, 'addresses') : 'none recorded'}`,
    );
    if (e.eventsWithError > 0) lines.push(`  ${e.eventsWithError} of them recorded an error (denied or failed calls)`);
  }
  lines.push('  (management events only, no data events such as S3 object reads; the newest can take minutes to appear)');
  if (e.region !== null && e.region !== GLOBAL_EVENTS_REGION) {
    lines.push(`  (IAM and other global services record their events in ${GLOBAL_EVENTS_REGION}, which this lookup does not cover)`);
  }
  return lines;
}

function linesOf(evidence: InvestigationEvidence, style: EvidenceStyle): string[] {
  switch (evidence.kind) {
    case 'access-key-last-used':
      return keyLastUsedLines(evidence, style);
    case 'services-last-accessed':
      return servicesLines(evidence, style);
    case 'cloudtrail-events':
      return cloudTrailLines(evidence, style);
  }
}

export function describeEvidence(evidence: StepEvidence, style: EvidenceStyle): string[] {
  const parsed = investigationEvidenceSchema.safeParse(evidence);
  return parsed.success ? linesOf(parsed.data, style) : [JSON.stringify(evidence)];
}
