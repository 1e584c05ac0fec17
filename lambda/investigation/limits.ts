/*
 * How far the investigation of a credential looks, and for how long. It runs
 * after containment inside the playbook's Lambda (60 s timeout), so every
 * read is bounded: in time (one budget shared by all of them), in polls and
 * in pages. What a bound cuts short is reported as partial, never hidden.
 */

export interface InvestigationLimits {
  /** Wall-clock time for the whole investigation (all its steps run at once), from its first call. */
  readonly budgetMs: number;
  /** GetServiceLastAccessedDetails calls while the report job is IN_PROGRESS. */
  readonly maxJobPolls: number;
  /** Pause between two of those polls. */
  readonly jobPollIntervalMs: number;
  /** Services listed in the evidence (most recent first); the rest are counted. */
  readonly maxServicesListed: number;
  /** CloudTrail LookupEvents pages (of `cloudTrailPageSize` events) read per key. */
  readonly maxCloudTrailPages: number;
  /** Events per LookupEvents page; 50 is the API's maximum. */
  readonly cloudTrailPageSize: number;
  /** How far back CloudTrail is searched. */
  readonly cloudTrailWindowHours: number;
  /** Event names and source IPs listed in the evidence; the rest are counted. */
  readonly maxNamesListed: number;
}

export const INVESTIGATION_LIMITS: InvestigationLimits = {
  budgetMs: 10_000,
  maxJobPolls: 8,
  jobPollIntervalMs: 1_000,
  maxServicesListed: 10,
  maxCloudTrailPages: 10,
  cloudTrailPageSize: 50,
  cloudTrailWindowHours: 24,
  maxNamesListed: 20,
};
