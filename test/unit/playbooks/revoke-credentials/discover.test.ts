import { GetRoleCommand, GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { ReadLog } from '../../../../lambda/plan/reads';
import { discoverRevokeCredentialsFacts } from '../../../../lambda/playbooks/revoke-credentials/discover';
import { givenRole, givenUser, iamActionsReceived, iamError, roleArn, userArn } from '../../../support/aws-mocks/revoke-iam';
import { revokeFinding, ROLE_FINDING, ROOT_FINDING, USER_KEY_FINDING } from '../../../support/aws-mocks/revoke-findings';

const iam = mockClient(IAMClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

beforeEach(() => {
  iam.reset();
  iam.rejects(iamError('UnexpectedCall'));
});

describe('discoverRevokeCredentialsFacts', () => {
  it('reads the user (with its tags from GetUser) and its keys, and logs both reads', async () => {
    givenUser(iam, {
      userName: 'deploy-bot',
      path: '/ci/',
      tags: { team: 'payments', 'ir:exempt': '' },
      keys: [
        { accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' },
        { accessKeyId: 'AKIA2EXAMPLEKEY00002', status: 'Inactive' },
      ],
    });
    const reads = new ReadLog();

    const facts = await discoverRevokeCredentialsFacts(revokeFinding(USER_KEY_FINDING), clients, reads);

    expect(facts).toMatchObject({
      kind: 'iam-user',
      user: { state: 'found', value: { arn: userArn('deploy-bot', '/ci/'), path: '/ci/', tags: { team: 'payments', 'ir:exempt': '' } } },
      keys: {
        state: 'found',
        value: [
          { accessKeyId: 'AKIA2EXAMPLEKEY00001', status: 'Active' },
          { accessKeyId: 'AKIA2EXAMPLEKEY00002', status: 'Inactive' },
        ],
      },
    });
    expect(iam.commandCalls(GetUserCommand)[0]!.args[0].input).toEqual({ UserName: 'deploy-bot' });
    expect(iam.commandCalls(ListAccessKeysCommand)[0]!.args[0].input).toEqual({ UserName: 'deploy-bot' });
    expect(reads.outcomes.map((o) => [o.id, o.title, o.action, o.mutating, o.status])).toEqual([
      ['read:read-user:user/deploy-bot', 'Read IAM user deploy-bot', 'iam:GetUser', false, 'done'],
      ['read:list-access-keys:user/deploy-bot', 'List the access keys of IAM user deploy-bot', 'iam:ListAccessKeys', false, 'done'],
    ]);
  });

  it('tells a missing user (NoSuchEntity) from a failed read, and does not list the keys of a missing user', async () => {
    iam.on(GetUserCommand).rejects(iamError('NoSuchEntity'));
    const facts = await discoverRevokeCredentialsFacts(revokeFinding(USER_KEY_FINDING), clients, new ReadLog());
    expect(facts).toMatchObject({ kind: 'iam-user', user: { state: 'missing', error: { code: 'NoSuchEntity' } }, keys: { state: 'missing' } });
    expect(iamActionsReceived(iam)).toEqual(['iam:GetUser']);
  });

  it('keeps listing the keys when GetUser fails for another reason', async () => {
    iam.on(GetUserCommand).rejects(iamError('AccessDenied'));
    iam.on(ListAccessKeysCommand).rejects(iamError('Throttling'));
    const reads = new ReadLog();
    const facts = await discoverRevokeCredentialsFacts(revokeFinding(USER_KEY_FINDING), clients, reads);
    expect(facts).toMatchObject({
      user: { state: 'failed', error: { code: 'AccessDenied', retryable: false } },
      keys: { state: 'failed', error: { code: 'Throttling', retryable: true } },
    });
    expect(reads.outcomes.map((o) => [o.action, o.status, o.error?.code])).toEqual([
      ['iam:GetUser', 'failed', 'AccessDenied'],
      ['iam:ListAccessKeys', 'failed', 'Throttling'],
    ]);
  });

  it('reads the role (path and tags) for a role principal, and nothing about users', async () => {
    givenRole(iam, { roleName: 'etl-job', path: '/jobs/', tags: { owner: 'data' } });
    const facts = await discoverRevokeCredentialsFacts(revokeFinding(ROLE_FINDING), clients, new ReadLog());
    expect(facts).toMatchObject({ kind: 'role', role: { state: 'found', value: { arn: roleArn('etl-job', '/jobs/'), path: '/jobs/', tags: { owner: 'data' } } } });
    expect(iam.commandCalls(GetRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'etl-job' });
    expect(iamActionsReceived(iam)).toEqual(['iam:GetRole']);
  });

  it('reads nothing for a principal the playbook does not act on', async () => {
    const facts = await discoverRevokeCredentialsFacts(revokeFinding(ROOT_FINDING), clients, new ReadLog());
    expect(facts.kind).toBe('manual');
    expect(iam.calls()).toHaveLength(0);
  });
});
