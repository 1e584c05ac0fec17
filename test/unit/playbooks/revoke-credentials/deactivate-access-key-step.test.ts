import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import type { ExecutionContext } from '../../../../lambda/plan/types';
import { deactivateAccessKeyStep } from '../../../../lambda/playbooks/revoke-credentials/deactivate-access-key-step';

const iam = mockClient(IAMClient);

function context(): ExecutionContext {
  return { clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => new Date('2026-11-22T10:00:07Z') };
}

const args = { userName: 'deploy-bot', accessKeyId: 'AKIA2EXAMPLEKEY00001', userLabel: 'IAM user deploy-bot', stage: 1 };

beforeEach(() => {
  iam.reset();
  iam.on(UpdateAccessKeyCommand).resolves({});
});

describe('deactivateAccessKeyStep', () => {
  it('declares the call it makes and sends exactly its parameters', async () => {
    const step = deactivateAccessKeyStep({ ...args, statusAtPlanning: 'Active' });
    expect(step).toMatchObject({ kind: 'deactivate-access-key', action: 'iam:UpdateAccessKey', iamActions: ['iam:UpdateAccessKey'], mutating: true });

    await expect(step.run(context())).resolves.toEqual({ status: 'done', detail: 'access key AKIA2EXAMPLEKEY00001 of deploy-bot is now Inactive' });

    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([step.parameters]);
  });

  it.each(['Inactive', 'Expired'])('skips a key that is already %s, without a call', async (status) => {
    const result = await deactivateAccessKeyStep({ ...args, statusAtPlanning: status }).run(context());
    expect(result).toEqual({ status: 'skipped', reason: `access key AKIA2EXAMPLEKEY00001 is already ${status} (ListAccessKeys)` });
    expect(iam.calls()).toHaveLength(0);
  });

  it('sends the call when the status was not read', async () => {
    await deactivateAccessKeyStep({ ...args, statusAtPlanning: null }).run(context());
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
  });
});
