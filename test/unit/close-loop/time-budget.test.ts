import { CLOSE_LOOP_CALL_LIMIT_MS } from '../../../lambda/close-loop/steps';
import { STEP_OVERRUN_MS } from '../../../lambda/plan/end-of-response';

/*
 * The close-the-loop steps never start after the deadline, and the
 * notification waits for them: one started just before it must end within
 * the deadline's overrun, so the notification still starts in time and
 * the end of the response keeps its reserve (lambda/plan/end-of-response.ts).
 */
it('bounds each close-the-loop step within the overrun the deadline leaves to steps already running', () => {
  expect(CLOSE_LOOP_CALL_LIMIT_MS).toBeLessThanOrEqual(STEP_OVERRUN_MS);
});
