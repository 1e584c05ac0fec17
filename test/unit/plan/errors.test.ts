import { toStepError } from '../../../lambda/aws/errors';

describe('toStepError', () => {
  it.each([
    [Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), { code: 'AccessDenied', message: 'denied', retryable: false }],
    [Object.assign(new Error('x'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }), { code: 'UnauthorizedOperation', message: 'x', retryable: false }],
    [Object.assign(new Error('slow down'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }), { code: 'Throttling', message: 'slow down', retryable: true }],
    [Object.assign(new Error('oops'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), { code: 'InternalError', message: 'oops', retryable: true }],
    [Object.assign(new Error('gone'), { name: 'InvalidInstanceID.NotFound', $metadata: { httpStatusCode: 400 } }), { code: 'InvalidInstanceID.NotFound', message: 'gone', retryable: false }],
    [Object.assign(new Error('socket'), { name: 'TimeoutError' }), { code: 'TimeoutError', message: 'socket', retryable: true }],
    [Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', Code: 'Throttled', $metadata: { httpStatusCode: 429 } }), { code: 'Throttled', message: 'Rate exceeded', retryable: true }],
    [Object.assign(new Error('busy'), { name: 'SomethingNew', $metadata: { httpStatusCode: 429 } }), { code: 'SomethingNew', message: 'busy', retryable: true }],
    [Object.assign(new Error('multi\n  line'), { name: 'AccessDenied' }), { code: 'AccessDenied', message: 'multi line', retryable: false }],
    ['plain string', { code: 'UnknownError', message: 'plain string', retryable: false }],
  ])('maps %p', (error, expected) => {
    expect(toStepError(error)).toEqual(expected);
  });
});
