import * as z from '../zod';

/*
 * What the investigation of a credential found, as it appears in the report
 * (StepReport.evidence). The schemas are the contract: the steps build these
 * objects, and the notification and the CLI read them back, also from a
 * report that came as JSON (`ir invoke`), so they parse instead of trusting.
 */

export const keyLastUsedEvidenceSchema = z.object({
  kind: z.literal('access-key-last-used'),
  accessKeyId: z.string(),
  /** The owner of the key according to IAM, which may not be the user the finding names. */
  userName: z.nullable(z.string()),
  /** null: IAM has no record of the key being used (IAM tracks this since 22 April 2015). */
  lastUsedDate: z.nullable(z.string()),
  serviceName: z.nullable(z.string()),
  region: z.nullable(z.string()),
});

export const accessedServiceSchema = z.object({
  serviceName: z.string(),
  serviceNamespace: z.string(),
  lastAuthenticated: z.string(),
  lastAuthenticatedRegion: z.nullable(z.string()),
});

export const servicesAccessedEvidenceSchema = z.object({
  kind: z.literal('services-last-accessed'),
  principalArn: z.string(),
  jobId: z.string(),
  /** IN_PROGRESS: the job did not finish within the poll bound or the time budget; it can be read later by its id. */
  jobStatus: z.enum(['COMPLETED', 'IN_PROGRESS']),
  polls: z.number(),
  /** Services the principal made an authenticated attempt to use (denied ones included). */
  servicesAccessed: z.number(),
  /** The most recently accessed of them, most recent first. */
  services: z.array(accessedServiceSchema),
  /** Accessed services not listed in `services`. */
  moreServices: z.number(),
  /** IAM's report itself was cut (more services than one page holds). */
  reportTruncated: z.boolean(),
});

export const countedSchema = z.object({ value: z.string(), count: z.number() });

export const cloudTrailEvidenceSchema = z.object({
  kind: z.literal('cloudtrail-events'),
  accessKeyId: z.string(),
  /** LookupEvents only sees the events of the region it is asked in. */
  region: z.nullable(z.string()),
  startTime: z.string(),
  endTime: z.string(),
  eventsRead: z.number(),
  pagesRead: z.number(),
  /** false: more events may exist than were read (see stoppedBy). */
  complete: z.boolean(),
  stoppedBy: z.nullable(z.enum(['page-cap', 'time-budget', 'error'])),
  /** The error that stopped a later page; the pages before it are kept. */
  stopError: z.nullable(z.object({ code: z.string(), message: z.string() })),
  firstEventTime: z.nullable(z.string()),
  lastEventTime: z.nullable(z.string()),
  /** Event names by count, most frequent first. */
  eventNames: z.array(countedSchema),
  moreEventNames: z.number(),
  /** sourceIPAddress of the events by count (an AWS service's name when a service made the call). */
  sourceIps: z.array(countedSchema),
  moreSourceIps: z.number(),
  /** Events CloudTrail recorded with an errorCode: denied or failed attempts. */
  eventsWithError: z.number(),
});

export const investigationEvidenceSchema = z.discriminatedUnion('kind', [keyLastUsedEvidenceSchema, servicesAccessedEvidenceSchema, cloudTrailEvidenceSchema]);

export type KeyLastUsedEvidence = z.infer<typeof keyLastUsedEvidenceSchema>;
export type AccessedService = z.infer<typeof accessedServiceSchema>;
export type ServicesAccessedEvidence = z.infer<typeof servicesAccessedEvidenceSchema>;
export type Counted = z.infer<typeof countedSchema>;
export type CloudTrailEvidence = z.infer<typeof cloudTrailEvidenceSchema>;
export type InvestigationEvidence = z.infer<typeof investigationEvidenceSchema>;
