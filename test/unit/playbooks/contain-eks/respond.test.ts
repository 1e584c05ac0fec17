import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAccountAliasesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { answerOf } from '../../../../lambda/ledger/answered';
import { shouldFailInvocation } from '../../../../lambda/runtime/retry-policy';
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

function run(dryRun = false, finding: Finding = FINDING) {
  guardDuty.holds(finding);
  return respond(finding, { config: ENFORCE, clients, dryRun, responder: { protectedRoleNames: [] }, now: () => RUN_AT });
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
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/ci-deployer', Path: '/', RoleId: 'AROAEXAMPLEROLEID0001', CreateDate: new Date() } });
    await run(true);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
  });

  it('never revokes a role IAM says is service-linked, whatever its name', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/ci-deployer', Path: '/aws-service-role/eks.amazonaws.com/', RoleId: 'AROAEXAMPLEROLEID0001', CreateDate: new Date() } });
    const report = await run();
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(report.steps.some((s) => s.id === 'revoke-role-sessions')).toBe(false);
  });
});

/** The same finding, its Kubernetes user renamed by whoever edited the mapping: the uid (the caller's unique id) is the authenticator's. */
function withUser(username: string, uid: string): Finding {
  const k8s = FINDING.resource!.kubernetesDetails!;
  return { ...FINDING, resource: { ...FINDING.resource, kubernetesDetails: { ...k8s, kubernetesUserDetails: { ...k8s.kubernetesUserDetails, username, uid } } } };
}

describe('contain-eks on a username that names the security team’s role while the caller is another role (a forged aws-auth mapping)', () => {
  it('reads the named role, finds its unique id is not the caller’s, and sends no IAM write', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'SecurityTeam', Arn: 'arn:aws:iam::222222222222:role/SecurityTeam', Path: '/', RoleId: 'AROASECURITYTEAMID001', CreateDate: new Date(), Tags: [] } });
    const report = await run(false, withUser('arn:aws:iam::222222222222:role/SecurityTeam', 'aws-iam-authenticator:222222222222:AROAATTACKERROLEID001'));
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'SecurityTeam' }]);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(iam.calls().map((c) => c.args[0].constructor.name).filter((name) => !name.startsWith('Get') && !name.startsWith('List'))).toEqual([]);
    expect(report.steps.filter((s) => s.mutating && s.id !== 'notify' && s.id !== 'evidence' && !s.id.startsWith('securityhub')).map((s) => s.id)).toEqual([]);
    expect(report.warnings.some((w) => w.includes("THE KUBERNETES USER'S MAPPING DOES NOT MATCH THE CALLER"))).toBe(true);
  });

  it('sends no IAM write on a username with no uid to verify it', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'SecurityTeam', Arn: 'arn:aws:iam::222222222222:role/SecurityTeam', Path: '/', RoleId: 'AROASECURITYTEAMID001', CreateDate: new Date(), Tags: [] } });
    const k8s = FINDING.resource!.kubernetesDetails!;
    const finding = { ...FINDING, resource: { ...FINDING.resource, kubernetesDetails: { ...k8s, kubernetesUserDetails: { username: 'arn:aws:iam::222222222222:role/SecurityTeam', groups: ['system:authenticated'] } } } };
    const report = await run(false, finding);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(report.warnings.some((w) => w.includes('the mapping was NOT verified'))).toBe(true);
  });
});

describe('contain-eks on a runtime finding whose node cannot be read (DescribeInstances throttled)', () => {
  const NODE_FINDING = parseFindings(loadFixture('contain-eks/eks-runtime-node.event.json'))[0]!;
  const k8s = NODE_FINDING.resource!.kubernetesDetails!;
  const finding: Finding = {
    ...NODE_FINDING,
    resource: { ...NODE_FINDING.resource, kubernetesDetails: { ...k8s, kubernetesUserDetails: FINDING.resource!.kubernetesDetails!.kubernetesUserDetails } },
  };

  it('changes nothing (the verified revocation waits too), keeps the incident open and fails the invocation so Lambda retries', async () => {
    ec2.onAnyCommand().resolves({});
    ec2.on(DescribeInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'ci-deployer', Arn: 'arn:aws:iam::222222222222:role/ci-deployer', Path: '/', RoleId: 'AROAEXAMPLEROLEID0001', CreateDate: new Date(), Tags: [] } });
    const report = await run(false, finding);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-0b1c2d3e4f5a67890'] }]);
    expect(report.blockedBy).toContain('instance-unreadable');
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(ec2.calls().filter((c) => !c.args[0].constructor.name.startsWith('Describe'))).toEqual([]);
    expect(answerOf(report)).toMatchObject({ answered: false });
    expect(shouldFailInvocation(report)).toMatchObject({ retry: true });
  });
});
