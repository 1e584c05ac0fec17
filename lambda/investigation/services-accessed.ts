import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsResponse,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ResponderError } from '../aws/errors';
import { isBudgetExceeded, type TimeBudget } from './budget';
import type { AccessedService, ServicesAccessedEvidence } from './evidence';
import { INVESTIGATION_LIMITS, type InvestigationLimits } from './limits';

/*
 * Which AWS services a user or role has used (IAM's "last accessed" data):
 * GenerateServiceLastAccessedDetails starts a report job, then
 * GetServiceLastAccessedDetails is polled until the job is done, a bounded
 * number of times and within the time budget.
 */

export type ServicesAccessedLimits = Pick<InvestigationLimits, 'maxJobPolls' | 'jobPollIntervalMs' | 'maxServicesListed'>;

/** The largest page GetServiceLastAccessedDetails returns: more than there are AWS services, so one page is the whole report. */
const REPORT_PAGE_SIZE = 1_000;

function accessedServices(report: GetServiceLastAccessedDetailsResponse): AccessedService[] {
  return (report.ServicesLastAccessed ?? [])
    .flatMap((s) =>
      s.LastAuthenticated && s.ServiceNamespace
        ? [
            {
              serviceName: s.ServiceName ?? s.ServiceNamespace,
              serviceNamespace: s.ServiceNamespace,
              lastAuthenticated: s.LastAuthenticated.toISOString(),
              lastAuthenticatedRegion: s.LastAuthenticatedRegion ?? null,
            },
          ]
        : [],
    )
    .sort((a, b) => b.lastAuthenticated.localeCompare(a.lastAuthenticated) || a.serviceNamespace.localeCompare(b.serviceNamespace));
}

function evidenceOf(principalArn: string, jobId: string, polls: number, report: GetServiceLastAccessedDetailsResponse | null, limits: ServicesAccessedLimits): ServicesAccessedEvidence {
  const accessed = report ? accessedServices(report) : [];
  const services = accessed.slice(0, limits.maxServicesListed);
  return {
    kind: 'services-last-accessed',
    principalArn,
    jobId,
    jobStatus: report ? 'COMPLETED' : 'IN_PROGRESS',
    polls,
    servicesAccessed: accessed.length,
    services,
    moreServices: accessed.length - services.length,
    reportTruncated: report?.IsTruncated === true,
  };
}

export async function readServicesAccessed(
  iam: IAMClient,
  principalArn: string,
  budget: TimeBudget,
  limits: ServicesAccessedLimits = INVESTIGATION_LIMITS,
): Promise<ServicesAccessedEvidence> {
  const generated = await budget.call('GenerateServiceLastAccessedDetails', (abortSignal) =>
    iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: principalArn, Granularity: 'SERVICE_LEVEL' }), { abortSignal }),
  );
  const jobId = generated.JobId;
  if (!jobId) throw new ResponderError('NoJobId', `GenerateServiceLastAccessedDetails for ${principalArn} returned no JobId`);

  let polls = 0;
  while (polls < limits.maxJobPolls) {
    if (polls > 0) await budget.sleep(limits.jobPollIntervalMs);
    if (budget.exhausted()) break;
    polls += 1;
    let report: GetServiceLastAccessedDetailsResponse;
    try {
      report = await budget.call('GetServiceLastAccessedDetails', (abortSignal) =>
        iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: REPORT_PAGE_SIZE }), { abortSignal }),
      );
    } catch (error) {
      // The job keeps running in IAM: the evidence carries its id, so it can be read later.
      if (isBudgetExceeded(error)) break;
      throw error;
    }
    if (report.JobStatus === 'COMPLETED') return evidenceOf(principalArn, jobId, polls, report, limits);
    if (report.JobStatus === 'FAILED') {
      throw new ResponderError(report.Error?.Code ?? 'ServiceLastAccessedJobFailed', `IAM job ${jobId} failed: ${report.Error?.Message ?? 'no reason given'}`);
    }
  }
  return evidenceOf(principalArn, jobId, polls, null, limits);
}
