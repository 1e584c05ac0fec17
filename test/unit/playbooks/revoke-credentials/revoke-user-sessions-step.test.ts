import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { revokeOlderSessionsPolicy } from '../../../../lambda/iam/revoke-sessions';
import { revokeUserSessionsStep } from '../../../../lambda/playbooks/revoke-credentials/revoke-user-sessions-step';

const iam = mockClient(IAMClient);
const PLANNED_AT = new Date('2026-11-22T10:00:00.000Z');
const RUN_AT = new Date('2026-11-22T10:05:00.000Z');

beforeEach(() => {
  iam.reset();
  iam.on(PutUserPolicyCommand).resolves({});
});

describe('revokeUserSessionsStep', () => {
  it('shows the planning time, but sends the time the step runs', async () => {
    const step = revokeUserSessionsStep({ userName: 'deploy-bot', userLabel: 'IAM user deploy-bot', planningTime: PLANNED_AT, stage: 2, because: 'test' });
    expect(step).toMatchObject({ kind: 'revoke-user-sessions', action: 'iam:PutUserPolicy', mutating: true, stage: 2 });
    expect(step.parameters).toEqual({ UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokeOlderSessionsPolicy(PLANNED_AT) });
    expect(step.why).toMatch(/^test; .*taken when the step runs/);

    const ctx = { clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => RUN_AT };
    await step.run(ctx);

    expect(iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { ...step.parameters, PolicyDocument: revokeOlderSessionsPolicy(RUN_AT) },
    ]);
  });
});
