import { ReadLog, readId } from '../../../lambda/plan/reads';
import type { StepSpec } from '../../../lambda/plan/types';

/*
 * ReadLog.supersede (lambda/plan/reads.ts): a failed read whose question a
 * later read answered stays in the report with its error, as skipped with the
 * reason, so it neither blocks the response nor makes it retried.
 */

const GET: StepSpec = { kind: 'confirm-finding', iamActions: ['guardduty:GetFindings'], mutating: false };
const refusal = Object.assign(new Error('The request is rejected because the input detectorId is not owned by the current account.'), {
  name: 'BadRequestException',
  $metadata: { httpStatusCode: 400 },
});

it('turns the failed read into a skipped one with the reason, its error kept', async () => {
  const reads = new ReadLog();
  await reads.read(GET, 'Ask the configured detector', 'finding-1', () => Promise.reject(refusal));
  reads.supersede(readId(GET, 'finding-1'), 'superseded: the configured id is stale');
  expect(reads.outcomes).toEqual([
    {
      id: 'read:confirm-finding:finding-1',
      title: 'Ask the configured detector',
      action: 'guardduty:GetFindings',
      target: 'finding-1',
      mutating: false,
      status: 'skipped',
      reason: 'superseded: the configured id is stale',
      error: { code: 'BadRequestException', message: refusal.message, retryable: false },
      durationMs: expect.any(Number),
    },
  ]);
});

it('refuses to supersede a read that did not fail, or that was never made: only a failure can be answered later', async () => {
  const reads = new ReadLog();
  await reads.read(GET, 'Ask', 'finding-1', () => Promise.resolve({}));
  expect(() => reads.supersede(readId(GET, 'finding-1'), 'x')).toThrow('no failed read read:confirm-finding:finding-1 to supersede');
  expect(() => reads.supersede(readId(GET, 'finding-2'), 'x')).toThrow('no failed read read:confirm-finding:finding-2 to supersede');
  expect(reads.outcomes.map((o) => o.status)).toEqual(['done']);
});
