import { CreateSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import { Readable } from 'node:stream';
import { atMostOnce, callWithin, NOT_ANSWERED_IN_TIME, OUTCOME_UNKNOWN, OutcomeUnknownError } from '../../../lambda/aws/at-most-once';
import { adaptiveRetryStrategy, DEFAULT_MAX_ATTEMPTS } from '../../../lambda/aws/clients';

/*
 * The real SDK clients, with the project's retry settings, in front of a
 * request handler that plays AWS: proves what the SDK itself sends again
 * (aws-sdk-client-mock replaces send() and would skip the retry loop).
 */

type Answer = { status: number; body: string } | { error: Error };

/** Answers each request with the next answer; counts the requests. */
function scriptedHandler(answers: Answer[]) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    handler: {
      async handle(request: HttpRequest) {
        requests.push(request);
        const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
        if ('error' in answer) throw answer.error;
        return { response: new HttpResponse({ statusCode: answer.status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(answer.body)]) }) };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  };
}

const config = (handler: ReturnType<typeof scriptedHandler>['handler']) => ({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  retryStrategy: adaptiveRetryStrategy(DEFAULT_MAX_ATTEMPTS),
  requestHandler: handler,
});

const SNAPSHOTS_OK = {
  status: 200,
  body: '<CreateSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><snapshotSet><item><snapshotId>snap-1</snapshotId></item></snapshotSet></CreateSnapshotsResponse>',
};
const EC2_THROTTLED = {
  status: 503,
  body: '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-2</RequestID></Response>',
};
const EC2_INTERNAL = {
  status: 500,
  body: '<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred</Message></Error></Errors><RequestID>r-3</RequestID></Response>',
};
const EC2_UNAUTHORIZED = {
  status: 403,
  body: '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors><RequestID>r-4</RequestID></Response>',
};
const PUBLISH_OK = {
  status: 200,
  body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata></PublishResponse>',
};
const SNS_THROTTLED = {
  status: 400,
  body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttled</Code><Message>Rate exceeded</Message></Error><RequestId>r-6</RequestId></ErrorResponse>',
};
const connectionReset = () => ({ error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
const requestTimeout = () => ({ error: Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }) });

const snapshotInput = { InstanceSpecification: { InstanceId: 'i-1' } };

async function createSnapshots(answers: Answer[], once = true) {
  const scripted = scriptedHandler(answers);
  const command = new CreateSnapshotsCommand(snapshotInput);
  if (once) atMostOnce('CreateSnapshots', command.middlewareStack);
  const result = await new EC2Client(config(scripted.handler)).send(command).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...result, requests: scripted.requests.length };
}

describe('atMostOnce: a call the SDK must not send twice', () => {
  it('control: without it, the SDK sends CreateSnapshots again after a connection reset', async () => {
    const result = await createSnapshots([connectionReset(), SNAPSHOTS_OK], false);
    expect(result.requests).toBe(2);
  });

  it.each([
    ['a connection reset after the request left', connectionReset()],
    ['a request timeout', requestTimeout()],
    ['a 500 InternalError', EC2_INTERNAL],
  ])('%s: CreateSnapshots is sent once and fails with OutcomeUnknown, naming what ended it', async (_what, first) => {
    const result = await createSnapshots([first, SNAPSHOTS_OK]);
    expect(result.requests).toBe(1);
    expect('error' in result && result.error).toBeInstanceOf(OutcomeUnknownError);
    const error = (result as { error: OutcomeUnknownError }).error;
    expect(error.code).toBe(OUTCOME_UNKNOWN);
    expect(error.underlying.code).toBe('error' in first ? ((first.error as { code?: string }).code ?? first.error.name) : 'InternalError');
  });

  it('throttling (refused, nothing created) is still retried by the SDK', async () => {
    const result = await createSnapshots([EC2_THROTTLED, SNAPSHOTS_OK]);
    expect(result.requests).toBe(2);
    expect('value' in result && result.value.Snapshots).toEqual([{ SnapshotId: 'snap-1' }]);
  });

  it('a refusal passes unchanged, with its AWS code', async () => {
    const result = await createSnapshots([EC2_UNAUTHORIZED]);
    expect(result.requests).toBe(1);
    expect((result as { error: { name: string } }).error.name).toBe('UnauthorizedOperation');
  });

  it('Publish: a timed-out request is not sent again; a throttled one is', async () => {
    const timedOut = scriptedHandler([requestTimeout(), PUBLISH_OK]);
    const first = new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111111111111:t', Message: 'm' });
    atMostOnce('Publish', first.middlewareStack);
    await expect(new SNSClient(config(timedOut.handler)).send(first)).rejects.toMatchObject({ code: OUTCOME_UNKNOWN, underlying: { code: 'TimeoutError' } });
    expect(timedOut.requests).toHaveLength(1);

    const throttled = scriptedHandler([SNS_THROTTLED, PUBLISH_OK]);
    const second = new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111111111111:t', Message: 'm' });
    atMostOnce('Publish', second.middlewareStack);
    await expect(new SNSClient(config(throttled.handler)).send(second)).resolves.toMatchObject({ MessageId: 'm-1' });
    expect(throttled.requests).toHaveLength(2);
  });
});

describe('callWithin', () => {
  it('stops waiting at the limit, aborts the call and reports an unknown outcome', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const call = callWithin('Publish', 50, (abortSignal) => {
      signal = abortSignal;
      return new Promise<never>(() => undefined);
    });
    await expect(call).rejects.toMatchObject({ code: OUTCOME_UNKNOWN, underlying: { code: NOT_ANSWERED_IN_TIME } });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
  });

  it('returns the answer that comes in time', async () => {
    await expect(callWithin('Publish', 1_000, async () => 'answered')).resolves.toBe('answered');
  });
});
