import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { revokeOlderSessionsPolicy } from '../../../../lambda/iam/revoke-sessions';
import { revokeRoleSessionsStep } from '../../../../lambda/playbooks/revoke-credentials/revoke-role-sessions-step';

const iam = mockClient(IAMClient);
const PLANNED_AT = new Date('2026-11-22T10:00:00.000Z');
const RUN_AT = new Date('2026-11-22T10:05:00.000Z');

beforeEach(() => {
  iam.reset();
  iam.on(PutRolePolicyCommand).resolves({});
});

describe('revokeRoleSessionsStep', () => {
  it('shows the planning time, but sends the time the step runs', async () => {
    const step = revokeRoleSessionsStep({ roleName: 'etl-job', roleLabel: 'IAM role etl-job', planningTime: PLANNED_AT, stage: 1, because: 'test' });
    expect(step).toMatchObject({ kind: 'revoke-role-sessions', action: 'iam:PutRolePolicy', mutating: true, target: 'IAM role etl-job' });
    expect(step.parameters).toEqual({ RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokeOlderSessionsPolicy(PLANNED_AT) });

    const ctx = { clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => RUN_AT };
    const result = await step.run(ctx);

    expect(result).toEqual({ status: 'done', detail: 'AWSRevokeOlderSessions on role etl-job denies sessions issued before 2026-11-22T10:05:00.000Z' });
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'etl-job', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revokeOlderSessionsPolicy(RUN_AT) },
    ]);
  });
});
