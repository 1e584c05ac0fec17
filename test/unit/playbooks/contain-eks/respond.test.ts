import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAccountAliasesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import { respond } from '../../../../lambda/respond/respond';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { loadFixture } from '../../../support/fixtures';

/* contain-eks through respond(), IAM mocked: the exact requests of a revocation, and none for a dry-run or a service-linked role. */

const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } };
const FINDING = parseFindings(loadFixture('contain-eks/eks-audit-exec-assumed-role.raw.json'))[0]!;
const RUN_AT = new Date('2026-11-21T10:50:00.000Z');

function run(dryRun = false) {
  guardDuty.holds(FINDING);
  return respond(FINDING, { config: ENFORCE, clients, dryRun, responder: { protectedRoleNames: [] }, now: () => RUN_AT });
}

beforeEach(() => {
  for (const mock of [iam, ec2, sns]) mock.reset();
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  iam.on(GetRolePolicyCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchEntity', Code: 'NoSuchEntity' }));
  iam.on(PutRolePolicyCommand).resolves({});
  sns.onAnyCommand().resolves({});
});

describe('contain-eks on an audit-log finding whose Kubernetes user is a role session', () => {
  it('reads the role, then puts AWSRevokeOlderSessions on it with these exact parameters; no EC2 call', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/ci-deployer', Path: '/', RoleId: 'AROAEXAMPLEROLEID0001', CreateDate: new Date(), Tags: [] } });
    const report = await run();
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'ci-deployer' }]);
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleName: 'ci-deployer',
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': RUN_AT.toISOString() } } }],
        }),
      },
    ]);
    expect(ec2.calls()).toEqual([]);
    expect(report.steps.find((s) => s.id === 'revoke-role-sessions')?.status).toBe('done');
  });

  it('sends no change in a dry-run', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/ci-deployer', Path: '/', RoleId: 'AROA1', CreateDate: new Date() } });
    await run(true);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
  });

  it('never revokes a role IAM says is service-linked, whatever its name', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/ci-deployer', Path: '/aws-service-role/eks.amazonaws.com/', RoleId: 'AROA1', CreateDate: new Date() } });
    const report = await run();
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(report.steps.some((s) => s.id === 'revoke-role-sessions')).toBe(false);
  });
});
