import { approvalSchema } from '../../../lambda/approval/schema';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { CONTAIN_INSTANCE } from '../../../lambda/handlers/contain-instance';
import { approvalOptionsFor, DEFAULT_APPROVAL_WAIT_MS, DEFAULT_ESCALATE_BEFORE_MS } from '../../../lambda/runtime/approval-options';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';

/* How long a playbook Lambda waits for a decision, what its deadline does and whether it escalates: the `approval` key's. */

const access = new AccountAccess({
  home: async () => ({ accountId: '111111111111', partition: 'aws' }),
  memberRoleName: 'IncidentResponseMemberRole',
  clientClasses: EVERY_CLIENT,
  base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
});
const writer = { create: () => Promise.resolve(), delete: () => Promise.resolve() };
const ESCALATION = 'arn:aws:sns:us-east-1:111111111111:escalation';

function optionsWith(approval: unknown) {
  const env: LambdaEnvironment = {
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, ...(approval === undefined ? {} : { approval: approvalSchema.parse(approval) }) },
    topicArn: undefined,
    protectedRoleNames: [],
    defaultRegion: 'us-east-1',
    ledgerTableName: 'ledger',
    approval: { scheduleGroup: 'group', schedulerRoleArn: 'arn:aws:iam::111111111111:role/scheduler', escalationTopicArn: ESCALATION },
  };
  return approvalOptionsFor({ env, access, context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f' }, entry: { ...CONTAIN_INSTANCE, scheduleWriter: () => writer } });
}

describe('approvalOptionsFor', () => {
  it('takes the wait, the escalation and the deadline’s outcome from the configuration', () => {
    expect(optionsWith({ timeoutMinutes: 30, escalateMinutesBefore: 10, onTimeout: 'act' })).toMatchObject({ waitMs: 30 * 60_000, escalateBeforeMs: 10 * 60_000, onTimeout: 'act', escalationTopicArn: ESCALATION });
  });

  it('uses the key’s defaults (an hour, 15 minutes before, stand down) without those settings or without the key', () => {
    const defaults = { waitMs: DEFAULT_APPROVAL_WAIT_MS, escalateBeforeMs: DEFAULT_ESCALATE_BEFORE_MS, onTimeout: 'stand-down' };
    expect(DEFAULT_APPROVAL_WAIT_MS).toBe(60 * 60_000);
    expect(DEFAULT_ESCALATE_BEFORE_MS).toBe(15 * 60_000);
    expect(optionsWith({})).toMatchObject(defaults);
    expect(optionsWith(undefined)).toMatchObject(defaults);
  });

  it('escalates to nobody when escalateMinutesBefore is 0, whatever topic the stack hands over', () => {
    const options = optionsWith({ escalateMinutesBefore: 0 });
    expect(options?.escalationTopicArn).toBeUndefined();
    expect(options?.escalationSns).toBeUndefined();
  });
});
