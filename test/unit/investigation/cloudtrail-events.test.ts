import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { TimeBudget } from '../../../lambda/investigation/budget';
import { lookupWindow, readKeyEvents, type CloudTrailLimits } from '../../../lambda/investigation/cloudtrail-events';
import { fakeClock, trailEvent, type FakeClock } from '../../support/aws-mocks/revoke-investigation';

const cloudTrail = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'eu-west-1', maxAttempts: 1 });
const KEY = 'AKIA2EXAMPLEKEY00001';
const LIMITS: CloudTrailLimits = { maxCloudTrailPages: 3, cloudTrailPageSize: 50, cloudTrailWindowHours: 24, maxNamesListed: 2 };
const WINDOW = lookupWindow(new Date('2026-11-22T10:00:07Z'), 24);

const firstPage = {
  LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }],
  StartTime: new Date('2026-11-21T10:00:07Z'),
  EndTime: new Date('2026-11-22T10:00:07Z'),
  MaxResults: 50,
};

function throttled() {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

let clock: FakeClock;

beforeEach(() => {
  cloudTrail.reset();
  cloudTrail.rejects(new Error('not arranged by the test'));
  clock = fakeClock();
});

function read(budgetMs = 10_000) {
  return readKeyEvents(client, KEY, 'eu-west-1', WINDOW, new TimeBudget(budgetMs, clock), LIMITS);
}

describe('readKeyEvents', () => {
  it('reads every page of the key events in the window and sums them up by name, time and source address', async () => {
    cloudTrail
      .on(LookupEventsCommand)
      .resolvesOnce({
        Events: [
          trailEvent({ name: 'ListBuckets', time: '2026-11-22T09:58:00Z', ip: '198.51.100.7' }),
          trailEvent({ name: 'GetCallerIdentity', time: '2026-11-22T09:57:00Z', ip: '198.51.100.7' }),
          trailEvent({ name: 'ListBuckets', time: '2026-11-22T09:50:00Z', ip: '203.0.113.9', errorCode: 'AccessDenied' }),
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Events: [
          trailEvent({ name: 'CreateUser', time: '2026-11-21T23:10:00Z', ip: '198.51.100.7', errorCode: 'AccessDenied' }),
          // A record CloudTrail sent without the JSON still counts by name and time.
          { EventName: 'ListBuckets', EventTime: new Date('2026-11-21T22:00:00Z'), CloudTrailEvent: 'not json' },
          trailEvent({ name: 'ConsoleLogin', time: '2026-11-21T21:00:00Z', ip: '192.0.2.44' }),
        ],
      });

    const evidence = await read();

    expect(cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input)).toEqual([firstPage, { ...firstPage, NextToken: 'page-2' }]);
    expect(evidence).toEqual({
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
    });
  });

  it('reports no events as a complete, empty lookup', async () => {
    cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });

    expect(await read()).toMatchObject({ eventsRead: 0, pagesRead: 1, complete: true, firstEventTime: null, lastEventTime: null, eventNames: [], sourceIps: [] });
  });

  it('stops at the page cap and says the result is partial', async () => {
    let page = 0;
    cloudTrail.on(LookupEventsCommand).callsFake(() => {
      page += 1;
      return { Events: [trailEvent({ name: 'GetObject', time: `2026-11-22T0${page}:00:00Z`, ip: '198.51.100.7' })], NextToken: `page-${page + 1}` };
    });

    const evidence = await read();

    expect(cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(evidence).toMatchObject({ eventsRead: 3, pagesRead: 3, complete: false, stoppedBy: 'page-cap', stopError: null });
  });

  it('stops when the time budget runs out and keeps the pages read', async () => {
    // Each page takes 2 s of a 3 s budget: the third page is never asked for.
    cloudTrail.on(LookupEventsCommand).callsFake(() => {
      clock.advance(2_000);
      return { Events: [trailEvent({ name: 'GetObject', time: '2026-11-22T09:00:00Z' })], NextToken: 'more' };
    });

    const evidence = await read(3_000);

    expect(cloudTrail).toHaveReceivedCommandTimes(LookupEventsCommand, 2);
    expect(evidence).toMatchObject({ eventsRead: 2, pagesRead: 2, complete: false, stoppedBy: 'time-budget', stopError: null });
  });

  it('keeps the pages read when a later page fails, and names the error', async () => {
    cloudTrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: [trailEvent({ name: 'ListBuckets', time: '2026-11-22T09:58:00Z' })], NextToken: 'page-2' })
      .rejects(throttled());

    const evidence = await read();

    expect(evidence).toMatchObject({
      eventsRead: 1,
      pagesRead: 1,
      complete: false,
      stoppedBy: 'error',
      stopError: { code: 'ThrottlingException', message: 'Rate exceeded' },
    });
  });

  it('fails when the first page fails: there is nothing to report', async () => {
    cloudTrail.on(LookupEventsCommand).rejects(throttled());

    await expect(read()).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('fails when the budget is spent before the first page', async () => {
    const budget = new TimeBudget(1_000, clock);
    budget.remainingMs();
    clock.advance(1_000);

    await expect(readKeyEvents(client, KEY, 'eu-west-1', WINDOW, budget, LIMITS)).rejects.toMatchObject({ code: 'InvestigationTimeBudgetExceeded' });
    expect(cloudTrail).toHaveReceivedCommandTimes(LookupEventsCommand, 0);
  });
});
