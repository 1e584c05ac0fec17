import type { CloudTrailEvidence, KeyLastUsedEvidence, ServicesAccessedEvidence } from '../../../lambda/investigation/evidence';
import { describeEvidence } from '../../../lambda/investigation/evidence-text';

const KEY = 'AKIA2EXAMPLEKEY00001';
const ARN = 'arn:aws:iam::222222222222:user/deploy-bot';

const lastUsed: KeyLastUsedEvidence = {
  kind: 'access-key-last-used',
  accessKeyId: KEY,
  userName: 'deploy-bot',
  lastUsedDate: '2026-11-22T09:58:00.000Z',
  serviceName: 's3',
  region: 'eu-west-1',
};

const services: ServicesAccessedEvidence = {
  kind: 'services-last-accessed',
  principalArn: ARN,
  jobId: 'job-1',
  jobStatus: 'COMPLETED',
  polls: 2,
  servicesAccessed: 3,
  services: [
    { serviceName: 'Amazon S3', serviceNamespace: 's3', lastAuthenticated: '2026-11-22T09:58:00.000Z', lastAuthenticatedRegion: 'eu-west-1' },
    { serviceName: 'AWS Security Token Service', serviceNamespace: 'sts', lastAuthenticated: '2026-11-22T09:30:00.000Z', lastAuthenticatedRegion: null },
  ],
  moreServices: 1,
  reportTruncated: false,
};

const events: CloudTrailEvidence = {
  kind: 'cloudtrail-events',
  accessKeyId: KEY,
  region: 'eu-west-1',
  startTime: '2026-11-21T10:00:07.000Z',
  endTime: '2026-11-22T10:00:07.000Z',
  eventsRead: 6,
  pagesRead: 2,
  complete: true,
  stoppedBy: null,
  stopError: null,
  firstEventTime: '2026-11-21T21:00:00.000Z',
  lastEventTime: '2026-11-22T09:58:00.000Z',
  eventNames: [
    { value: 'ListBuckets', count: 3 },
    { value: 'ConsoleLogin', count: 1 },
  ],
  moreEventNames: 2,
  sourceIps: [
    { value: '198.51.100.7', count: 3 },
    { value: '192.0.2.44', count: 1 },
  ],
  moreSourceIps: 1,
  eventsWithError: 2,
};

describe('describeEvidence, full (the notification)', () => {
  it('says when, for which service and where the key was last used, or that it never was', () => {
    expect(describeEvidence(lastUsed, 'full')).toEqual([`Access key ${KEY} (owner deploy-bot): last used 2026-11-22T09:58:00.000Z, service s3, region eu-west-1`]);
    expect(describeEvidence({ ...lastUsed, lastUsedDate: null, serviceName: null, region: null }, 'full')).toEqual([
      `Access key ${KEY} (owner deploy-bot): IAM has no record of it ever being used`,
    ]);
  });

  it('lists the services accessed, most recent first, and counts the rest', () => {
    expect(describeEvidence(services, 'full')).toEqual([
      `Services accessed by ${ARN} (IAM last-accessed data, which can lag by up to 4 hours): 3, most recent first:`,
      '  - Amazon S3 (s3): 2026-11-22T09:58:00.000Z in eu-west-1',
      '  - AWS Security Token Service (sts): 2026-11-22T09:30:00.000Z',
      '  - and 1 more',
    ]);
    expect(describeEvidence({ ...services, servicesAccessed: 0, services: [], moreServices: 0 }, 'full')).toEqual([
      `Services accessed by ${ARN} (IAM last-accessed data, which can lag by up to 4 hours): 0, none on record`,
    ]);
  });

  it('gives the job id to read an unfinished report later', () => {
    expect(describeEvidence({ ...services, jobStatus: 'IN_PROGRESS', polls: 8, servicesAccessed: 0, services: [], moreServices: 0 }, 'full')).toEqual([
      `Services accessed by ${ARN}: IAM's report (job job-1) was not ready after 8 polls; read it later: aws iam get-service-last-accessed-details --job-id job-1`,
    ]);
  });

  it('sums up the CloudTrail events: count, by name, first and last time, source IPs, errors, and what the lookup cannot see', () => {
    expect(describeEvidence(events, 'full')).toEqual([
      `CloudTrail management events made with key ${KEY} in eu-west-1, 2026-11-21T10:00:07.000Z to 2026-11-22T10:00:07.000Z: 6`,
      '  by name: ListBuckets 3, ConsoleLogin 1 (+2 more names)',
      '  first 2026-11-21T21:00:00.000Z, last 2026-11-22T09:58:00.000Z',
      '  source IPs: 198.51.100.7 3, 192.0.2.44 1 (+1 more addresses)',
      '  2 of them recorded an error (denied or failed calls)',
      '  (management events only, no data events such as S3 object reads; the newest can take minutes to appear)',
      '  (IAM and other global services record their events in us-east-1, which this lookup does not cover)',
    ]);
  });

  it.each([
    ['the page cap', { stoppedBy: 'page-cap', stopError: null }, 'partial: 6 events read (stopped at the cap of 2 pages)'],
    ['the time budget', { stoppedBy: 'time-budget', stopError: null }, 'partial: 6 events read (stopped by the time budget)'],
    [
      'a failed page',
      { stoppedBy: 'error', stopError: { code: 'ThrottlingException', message: 'Rate exceeded' } },
      'partial: 6 events read (page 3 failed: ThrottlingException: Rate exceeded)',
    ],
  ] as const)('says a lookup cut short by %s is partial', (_why, stop, text) => {
    const [head] = describeEvidence({ ...events, ...stop, complete: false }, 'full');
    expect(head).toBe(`CloudTrail management events made with key ${KEY} in eu-west-1, 2026-11-21T10:00:07.000Z to 2026-11-22T10:00:07.000Z: 6 (${text})`);
  });

  it('says when nothing was found, and leaves out the region caveat in us-east-1', () => {
    const none = { ...events, region: 'us-east-1', eventsRead: 0, firstEventTime: null, lastEventTime: null, eventNames: [], moreEventNames: 0, sourceIps: [], moreSourceIps: 0, eventsWithError: 0 };
    expect(describeEvidence(none, 'full')).toEqual([
      `CloudTrail management events made with key ${KEY} in us-east-1, 2026-11-21T10:00:07.000Z to 2026-11-22T10:00:07.000Z: 0`,
      '  (management events only, no data events such as S3 object reads; the newest can take minutes to appear)',
    ]);
  });
});

describe('describeEvidence, compact (the terminal)', () => {
  it('puts each kind on one line', () => {
    expect(describeEvidence(lastUsed, 'compact')).toEqual([`key ${KEY}: last used 2026-11-22T09:58:00.000Z (s3, eu-west-1)`]);
    expect(describeEvidence({ ...lastUsed, lastUsedDate: null }, 'compact')).toEqual([`key ${KEY}: never used`]);
    expect(describeEvidence(services, 'compact')).toEqual(['services accessed: 3 (s3 2026-11-22T09:58:00.000Z, sts 2026-11-22T09:30:00.000Z, +1 more)']);
    expect(describeEvidence({ ...events, complete: false, stoppedBy: 'page-cap' }, 'compact')).toEqual([
      'cloudtrail eu-west-1 2026-11-21T10:00:07.000Z → 2026-11-22T10:00:07.000Z: 6 events, ListBuckets 3, ConsoleLogin 1 (+2 more names), ' +
        '2026-11-21T21:00:00.000Z → 2026-11-22T09:58:00.000Z, IPs 198.51.100.7, 192.0.2.44 (+1 more IPs); partial: 6 events read (page cap)',
    ]);
  });
});

describe('describeEvidence of something it does not know', () => {
  it('prints it as JSON rather than dropping it', () => {
    expect(describeEvidence({ kind: 'disk-image', size: 3 }, 'full')).toEqual(['{"kind":"disk-image","size":3}']);
    expect(describeEvidence({ ...events, eventsRead: 'many' }, 'compact')).toEqual([JSON.stringify({ ...events, eventsRead: 'many' })]);
  });
});
