import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  type GetServiceLastAccessedDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { TimeBudget } from '../../../lambda/investigation/budget';
import { readServicesAccessed, type ServicesAccessedLimits } from '../../../lambda/investigation/services-accessed';
import { iamError } from '../../support/aws-mocks/revoke-iam';
import { fakeClock, JOB_ID, type FakeClock } from '../../support/aws-mocks/revoke-investigation';

const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', maxAttempts: 1 });
const ARN = 'arn:aws:iam::222222222222:user/deploy-bot';
const LIMITS: ServicesAccessedLimits = { maxJobPolls: 5, jobPollIntervalMs: 1_000, maxServicesListed: 3 };

type Report = Partial<GetServiceLastAccessedDetailsCommandOutput>;

const IN_PROGRESS: Report = { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date('2026-11-22T10:00:08Z') };

function completed(services: { name: string; ns: string; at?: string; region?: string }[], truncated = false): Report {
  return {
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date('2026-11-22T10:00:08Z'),
    JobCompletionDate: new Date('2026-11-22T10:00:10Z'),
    IsTruncated: truncated,
    ServicesLastAccessed: services.map((s) => ({
      ServiceName: s.name,
      ServiceNamespace: s.ns,
      ...(s.at ? { LastAuthenticated: new Date(s.at), LastAuthenticatedEntity: ARN, TotalAuthenticatedEntities: 1 } : {}),
      ...(s.region ? { LastAuthenticatedRegion: s.region } : {}),
    })),
  };
}

let clock: FakeClock;

beforeEach(() => {
  iam.reset();
  iam.rejects(iamError('UnexpectedCall'));
  iam.on(GenerateServiceLastAccessedDetailsCommand).resolves({ JobId: JOB_ID });
  clock = fakeClock();
});

function read(budgetMs = 10_000) {
  return readServicesAccessed(client, ARN, new TimeBudget(budgetMs, clock), LIMITS);
}

describe('readServicesAccessed', () => {
  it('starts a service-level report for the principal, polls it until COMPLETED, and lists the accessed services, most recent first', async () => {
    iam
      .on(GetServiceLastAccessedDetailsCommand)
      .resolvesOnce(IN_PROGRESS)
      .resolvesOnce(IN_PROGRESS)
      .resolves(
        completed([
          { name: 'Amazon EC2', ns: 'ec2', at: '2026-11-20T08:00:00Z', region: 'us-east-1' },
          { name: 'AWS Lambda', ns: 'lambda' },
          { name: 'Amazon S3', ns: 's3', at: '2026-11-22T09:58:00Z', region: 'eu-west-1' },
          { name: 'AWS Security Token Service', ns: 'sts', at: '2026-11-22T09:30:00Z' },
          { name: 'AWS Identity and Access Management', ns: 'iam', at: '2026-11-21T12:00:00Z', region: 'us-east-1' },
        ]),
      );

    const evidence = await read();

    expect(iam.commandCalls(GenerateServiceLastAccessedDetailsCommand).map((c) => c.args[0].input)).toEqual([{ Arn: ARN, Granularity: 'SERVICE_LEVEL' }]);
    expect(iam.commandCalls(GetServiceLastAccessedDetailsCommand).map((c) => c.args[0].input)).toEqual([
      { JobId: JOB_ID, MaxItems: 1_000 },
      { JobId: JOB_ID, MaxItems: 1_000 },
      { JobId: JOB_ID, MaxItems: 1_000 },
    ]);
    // A pause before each poll but the first.
    expect(clock.sleeps).toEqual([1_000, 1_000]);
    expect(evidence).toEqual({
      kind: 'services-last-accessed',
      principalArn: ARN,
      jobId: JOB_ID,
      jobStatus: 'COMPLETED',
      polls: 3,
      servicesAccessed: 4,
      services: [
        { serviceName: 'Amazon S3', serviceNamespace: 's3', lastAuthenticated: '2026-11-22T09:58:00.000Z', lastAuthenticatedRegion: 'eu-west-1' },
        { serviceName: 'AWS Security Token Service', serviceNamespace: 'sts', lastAuthenticated: '2026-11-22T09:30:00.000Z', lastAuthenticatedRegion: null },
        { serviceName: 'AWS Identity and Access Management', serviceNamespace: 'iam', lastAuthenticated: '2026-11-21T12:00:00.000Z', lastAuthenticatedRegion: 'us-east-1' },
      ],
      moreServices: 1,
      reportTruncated: false,
    });
  });

  it('reports a principal that accessed nothing as zero services', async () => {
    iam.on(GetServiceLastAccessedDetailsCommand).resolves(completed([{ name: 'Amazon S3', ns: 's3' }], true));

    const evidence = await read();

    expect(evidence).toMatchObject({ jobStatus: 'COMPLETED', polls: 1, servicesAccessed: 0, services: [], moreServices: 0, reportTruncated: true });
    expect(clock.sleeps).toEqual([]);
  });

  it('stops after the poll bound, and returns the job id to read the report later', async () => {
    iam.on(GetServiceLastAccessedDetailsCommand).resolves(IN_PROGRESS);

    const evidence = await read(60_000);

    expect(iam).toHaveReceivedCommandTimes(GetServiceLastAccessedDetailsCommand, LIMITS.maxJobPolls);
    expect(clock.sleeps).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(evidence).toEqual({
      kind: 'services-last-accessed',
      principalArn: ARN,
      jobId: JOB_ID,
      jobStatus: 'IN_PROGRESS',
      polls: 5,
      servicesAccessed: 0,
      services: [],
      moreServices: 0,
      reportTruncated: false,
    });
  });

  it('stops polling when the time budget runs out, before the poll bound', async () => {
    // Each answer takes 1 s; with 1 s pauses, a 3.5 s budget leaves room for two polls and half of the pause after them.
    iam.on(GetServiceLastAccessedDetailsCommand).callsFake(() => {
      clock.advance(1_000);
      return IN_PROGRESS;
    });

    const evidence = await read(3_500);

    expect(iam).toHaveReceivedCommandTimes(GetServiceLastAccessedDetailsCommand, 2);
    expect(clock.sleeps).toEqual([1_000, 500]);
    expect(evidence).toMatchObject({ jobStatus: 'IN_PROGRESS', polls: 2, jobId: JOB_ID });
  });

  it('fails with the code IAM gives when the report job fails', async () => {
    iam.on(GetServiceLastAccessedDetailsCommand).resolves({
      JobStatus: 'FAILED',
      JobCreationDate: new Date('2026-11-22T10:00:08Z'),
      Error: { Code: 'ReportGenerationFailed', Message: 'could not generate' },
    });

    await expect(read()).rejects.toMatchObject({ code: 'ReportGenerationFailed', message: `IAM job ${JOB_ID} failed: could not generate` });
  });

  it.each(['AccessDenied', 'Throttling'])('fails with %s when GenerateServiceLastAccessedDetails is refused, and polls nothing', async (code) => {
    iam.on(GenerateServiceLastAccessedDetailsCommand).rejects(iamError(code));

    await expect(read()).rejects.toMatchObject({ name: code });
    expect(iam).toHaveReceivedCommandTimes(GetServiceLastAccessedDetailsCommand, 0);
  });

  it('fails with the code of a poll that IAM refuses', async () => {
    iam.on(GetServiceLastAccessedDetailsCommand).resolvesOnce(IN_PROGRESS).rejects(iamError('Throttling', 'Rate exceeded'));

    await expect(read()).rejects.toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    expect(iam).toHaveReceivedCommandTimes(GetServiceLastAccessedDetailsCommand, 2);
  });

  it('fails when IAM returns no job id', async () => {
    iam.on(GenerateServiceLastAccessedDetailsCommand).resolves({});

    await expect(read()).rejects.toMatchObject({ code: 'NoJobId' });
  });
});
