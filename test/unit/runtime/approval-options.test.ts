import { CONTAIN_INSTANCE } from '../../../lambda/handlers/contain-instance';
import { NOTIFY } from '../../../lambda/handlers/notify';
import { approvalOptionsFor, approvalTimingOf } from '../../../lambda/runtime/approval-options';
import { readLambdaEnvironment } from '../../../lambda/runtime/environment';
import { accountAccessFor } from '../../../lambda/runtime/home-account';

/* How a playbook Lambda waits for a decision (lambda/runtime/approval-options.ts): from its environment and config.approval. */

const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:ir-contain-instance' };
const APPROVAL_ENV = {
  IR_LEDGER_TABLE: 'ir-ledger',
  IR_APPROVAL_SCHEDULE_GROUP: 'ir-approvals',
  IR_APPROVAL_SCHEDULER_ROLE_ARN: 'arn:aws:iam::111122223333:role/ir-approval-scheduler',
  IR_ESCALATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:ir-escalation',
  AWS_REGION: 'eu-west-1',
};

function optionsOf(approval: Record<string, unknown> | undefined, entry = CONTAIN_INSTANCE, extra: Record<string, string> = {}) {
  const env = readLambdaEnvironment({
    IR_PLAYBOOK: entry.playbook.name,
    IR_RUNTIME_CONFIG: JSON.stringify(approval ? { approval } : {}),
    ...APPROVAL_ENV,
    ...extra,
  });
  const access = accountAccessFor(CONTEXT, env.config.memberRoleName, entry.clientClasses);
  return approvalOptionsFor({ env, access, context: CONTEXT, entry });
}

describe('approvalOptionsFor', () => {
  it('takes the wait, the escalation and the timeout action from config.approval', () => {
    const options = optionsOf({ timeoutMinutes: 120, escalateMinutesBefore: 30, onTimeout: 'act' })!;
    expect({ waitMs: options.waitMs, escalateBeforeMs: options.escalateBeforeMs, onTimeout: options.onTimeout }).toEqual({
      waitMs: 120 * 60_000,
      escalateBeforeMs: 30 * 60_000,
      onTimeout: 'act',
    });
    expect(options.escalationTopicArn).toBe(APPROVAL_ENV.IR_ESCALATION_TOPIC_ARN);
  });

  it("uses the schema's defaults when config.approval leaves them out: an hour, 15 minutes before, stand down", () => {
    const options = optionsOf({})!;
    expect({ waitMs: options.waitMs, escalateBeforeMs: options.escalateBeforeMs, onTimeout: options.onTimeout }).toEqual({
      waitMs: 60 * 60_000,
      escalateBeforeMs: 15 * 60_000,
      onTimeout: 'stand-down',
    });
  });

  it('escalates to nobody when escalateMinutesBefore is 0 (not at the deadline)', () => {
    const options = optionsOf({ timeoutMinutes: 10, escalateMinutesBefore: 0 })!;
    expect(options.escalationTopicArn).toBeUndefined();
    expect(options.escalationSns).toBeUndefined();
  });

  it('bounds the wait with schedules in the stack group, invoking this very function with the scheduler role', () => {
    const options = optionsOf({})!;
    expect(options.schedules?.target).toEqual({ groupName: 'ir-approvals', roleArn: APPROVAL_ENV.IR_APPROVAL_SCHEDULER_ROLE_ARN, functionArn: CONTEXT.invokedFunctionArn });
    expect(options.schedules?.writer).toEqual({ create: expect.any(Function), delete: expect.any(Function) });
  });

  it('cannot wait in a function whose entry writes no schedules (notify), nor without the schedule group', () => {
    expect(optionsOf({}, NOTIFY)!.schedules).toBeUndefined();
    expect(optionsOf({}, CONTAIN_INSTANCE, { IR_APPROVAL_SCHEDULE_GROUP: '' })!.schedules).toBeUndefined();
  });
});

describe('the decision links of the email', () => {
  it('are signed when the function is handed the link key and the link function, and only then', () => {
    expect(optionsOf({}, CONTAIN_INSTANCE, { IR_APPROVAL_MAC_KEY: 'arn:aws:kms:eu-west-1:111122223333:key/link', IR_APPROVAL_LINK_FUNCTION: 'ir-approval-link' })!.links).toEqual(expect.any(Function));
    expect(optionsOf({}, CONTAIN_INSTANCE, { IR_APPROVAL_MAC_KEY: 'arn:aws:kms:eu-west-1:111122223333:key/link' })!.links).toBeUndefined();
    expect(optionsOf({})!.links).toBeUndefined();
  });
});

describe('approvalTimingOf', () => {
  it('is the defaults without an approval configuration', () => {
    expect(approvalTimingOf(undefined)).toEqual({ waitMs: 3_600_000, escalateBeforeMs: 900_000, onTimeout: 'stand-down' });
  });
});
