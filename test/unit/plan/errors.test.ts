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
    [
      Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`), {
        $metadata: { httpStatusCode: 500 },
      }),
      {
        code: 'UnparseableResponse',
        message: `the endpoint answered HTTP 500 with a body that is not an AWS response (Unexpected token '<', "<!doctype "... is not valid JSON)`,
        retryable: true,
      },
    ],
    [
      Object.assign(new Error('@aws-sdk XML parse error: mismatched tags. Deserialization error: to see the raw response, inspect {error}.$response'), { $metadata: { httpStatusCode: 200 } }),
      {
        code: 'UnparseableResponse',
        message: 'the endpoint answered HTTP 200 with a body that is not an AWS response (@aws-sdk XML parse error: mismatched tags.)',
        retryable: false,
      },
    ],
    ['plain string', { code: 'UnknownError', message: 'plain string', retryable: false }],
  ])('maps %p', (error, expected) => {
    expect(toStepError(error)).toEqual(expected);
  });
});
