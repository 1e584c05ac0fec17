import type { Finding } from '../../../../lambda/finding/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import { answerFor } from '../../../../lambda/playbooks/answer-sequence/choose';
import { resolveResources } from '../../../../lambda/playbooks/answer-sequence/resolve';
import { viewOf } from '../../../../lambda/playbooks/answer-sequence/resource-views';
import type { SequenceActor, SequenceResource, SequenceSignal } from '../../../../lambda/playbooks/answer-sequence/sequence';
import { effectiveRoutingTable } from '../../../../lambda/routing/overrides';
import { loadFixture } from '../../../support/fixtures';

/*
 * How a resource of a sequence becomes what its playbook reads, and which
 * playbook that is: pure functions over the attacker-shaped sequence.
 */

const ACCOUNT = '333333333333';
const finding = parseFindings(loadFixture('answer-sequence/compromised-instance-group.raw.json'))[0]!;
const actors = finding.service!.detection!.sequence!.actors!;

function resource(over: Partial<SequenceResource>): SequenceResource {
  return { uid: 'i-0b2c3d4e5f6071829', accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: 'us-east-1', cloudPartition: 'aws', ...over };
}

describe('viewOf: a sequence resource as its playbook reads it', () => {
  it.each([
    ['an instance id (GuardDuty spelling)', resource({}), { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0b2c3d4e5f6071829' } }],
    [
      'an instance ARN (Security Hub spelling)',
      resource({ resourceType: undefined, type: 'AWS::EC2::Instance', uid: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0b2c3d4e5f6071829` }),
      { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0b2c3d4e5f6071829' } },
    ],
    [
      'a role ARN with a path: the role by name, as revoke-credentials reads a role, with the principalId of the actor that is its session',
      resource({ resourceType: undefined, type: 'AWS::IAM::Role', uid: `arn:aws:iam::${ACCOUNT}:role/service/web-fleet-role`, region: 'global' }),
      { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: null, principalId: 'AROA3EXAMPLEROLE0001:i-0b2c3d4e5f6071829', userName: 'web-fleet-role', userType: 'Role' } },
    ],
    [
      'an access key: its user from the actor holding it',
      resource({ resourceType: 'ACCESS_KEY', uid: 'ASIA3EXAMPLETEMP0001', region: 'global' }),
      { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'ASIA3EXAMPLETEMP0001', principalId: 'AROA3EXAMPLEROLE0001:i-0b2c3d4e5f6071829', userName: 'web-fleet-role', userType: 'AssumedRole' } },
    ],
    [
      'a bucket ARN',
      resource({ resourceType: 'S3_BUCKET', uid: 'arn:aws:s3:::payroll-exports' }),
      { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'payroll-exports', arn: 'arn:aws:s3:::payroll-exports' }] },
    ],
    [
      'an ECS cluster ARN',
      resource({ resourceType: 'ECS_CLUSTER', uid: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/payments` }),
      { resourceType: 'ECSCluster', ecsClusterDetails: { name: 'payments', arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/payments` } },
    ],
    [
      'an ECS task ARN: its cluster and the task',
      resource({ resourceType: 'ECS_TASK', uid: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef` }),
      {
        resourceType: 'ECSCluster',
        ecsClusterDetails: {
          name: 'payments',
          arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/payments`,
          taskDetails: { arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef` },
        },
      },
    ],
    [
      'an S3 object ARN: the bucket and the key (its current version: a sequence names none)',
      resource({ resourceType: 'S3_OBJECT', uid: 'arn:aws:s3:::uploads-inbox/invoices/2026/11/invoice-7.pdf' }),
      { resourceType: 'S3Object', s3BucketDetails: [{ name: 'uploads-inbox', arn: 'arn:aws:s3:::uploads-inbox', s3ObjectDetails: [{ key: 'invoices/2026/11/invoice-7.pdf' }] }] },
    ],
    [
      'an RDS DB instance ARN',
      resource({ resourceType: undefined, type: 'AWS::RDS::DBInstance', uid: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary` }),
      { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders-primary', dbInstanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary` } },
    ],
    [
      'an EBS snapshot ARN (it names no account)',
      resource({ resourceType: undefined, type: 'AWS::EC2::Snapshot', uid: 'arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718' }),
      { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718' } },
    ],
    [
      'an AMI ARN',
      resource({ resourceType: 'EC2_IMAGE', uid: 'arn:aws:ec2:us-east-1::image/ami-0a1b2c3d4e5f60718' }),
      { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: 'arn:aws:ec2:us-east-1::image/ami-0a1b2c3d4e5f60718' } },
    ],
  ])('derives %s', (_, given, expected) => {
    const derived = viewOf(given, finding, actors);
    expect(derived.ok && derived.view.resource).toEqual(expected);
  });

  it.each([
    ['no actor names it', [] as SequenceActor[]],
    ['an actor of the same name is of another account', actors.map((a) => ({ ...a, user: { ...a.user, account: { uid: '999999999999' } } }))],
    ['two actors give the name two different role ids', [...actors, { ...actors[0]!, user: { ...actors[0]!.user, uid: 'AROA9OTHERROLE000001:x' } }]],
  ])('gives a role named only by its ARN no principalId when %s (revoke-credentials then refuses it)', (_, given) => {
    const role = resource({ resourceType: undefined, type: 'AWS::IAM::Role', uid: `arn:aws:iam::${ACCOUNT}:role/web-fleet-role`, region: 'global' });
    const derived = viewOf(role, finding, given);
    expect(derived.ok && derived.view.resource.accessKeyDetails).toEqual({ accessKeyId: null, principalId: null, userName: 'web-fleet-role', userType: 'Role' });
  });

  it.each([
    ['another account', resource({ accountId: '999999999999' }), "it is in account 999999999999, not the finding's account 333333333333"],
    ['no account', resource({ accountId: undefined }), "it names no account: only a resource of the finding's account 333333333333 is acted on"],
    [
      'an ARN of another account under the finding’s accountId',
      resource({ uid: 'arn:aws:ec2:us-east-1:999999999999:instance/i-0b2c3d4e5f6071829' }),
      "the ARN names account 999999999999, not the finding's account 333333333333",
    ],
    ['another region', resource({ region: 'eu-west-1' }), "it is in region eu-west-1, not the finding's region us-east-1"],
    ['another partition', resource({ cloudPartition: 'aws-cn' }), "it is in partition aws-cn, not the finding's aws"],
    ['an ARN of another region', resource({ uid: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0b2c3d4e5f6071829` }), "the ARN names region eu-west-1, not the finding's region us-east-1"],
    ['a wildcard instance id', resource({ uid: 'i-*' }), 'uid "i-*" is not an ec2 ARN'],
    ['a uid with a space', resource({ uid: 'i-0b2c3d4e5f6071829 i-0c3d4e5f60718293a' }), 'its uid is missing or not printable text without spaces'],
    ['a network interface ARN as an instance', resource({ uid: `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-0abc` }), '"network-interface/eni-0abc" is not an EC2 instance'],
    ['a role with an invalid name', resource({ type: 'AWS::IAM::Role', resourceType: undefined, uid: `arn:aws:iam::${ACCOUNT}:role/a*b`, region: 'global' }), '"role/a*b" is not an IAM role with a valid name'],
    ['a key no actor used', resource({ resourceType: 'ACCESS_KEY', uid: 'AKIA3EXAMPLEKEY99999', region: 'global' }), 'no actor of the sequence used this key (user.credentialUid): whose key it is is not known'],
    ['an ECS task ARN with a path of more parts', resource({ resourceType: 'ECS_TASK', uid: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef/x` }), '"task/payments/0123456789abcdef0123456789abcdef/x" is not an ECS task'],
    ['an S3 object ARN with no key', resource({ resourceType: 'S3_OBJECT', uid: 'arn:aws:s3:::uploads-inbox' }), '"arn:aws:s3:::uploads-inbox" is not an S3 object ARN'],
    ['an S3 object ARN naming an account', resource({ resourceType: 'S3_OBJECT', uid: `arn:aws:s3::${ACCOUNT}:uploads-inbox/a` }), `"arn:aws:s3::${ACCOUNT}:uploads-inbox/a" is not an S3 object ARN`],
    ['an RDS cluster ARN as a DB instance', resource({ type: 'AWS::RDS::DBInstance', resourceType: undefined, uid: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders` }), '"cluster:orders" is not an RDS DB instance'],
    ['an RDS ARN of another region', resource({ type: 'AWS::RDS::DBInstance', resourceType: undefined, uid: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders` }), "the ARN names region eu-west-1, not the finding's region us-east-1"],
    ['a volume ARN as a snapshot', resource({ type: 'AWS::EC2::Snapshot', resourceType: undefined, uid: `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0a1b2c3d4e5f60718` }), '"volume/vol-0a1b2c3d4e5f60718" is not an EBS snapshot'],
    ['an AMI id without its ARN', resource({ resourceType: 'EC2_IMAGE', uid: 'ami-0a1b2c3d4e5f60718' }), 'uid "ami-0a1b2c3d4e5f60718" is not an ec2 ARN'],
    ['an unknown type', resource({ resourceType: 'AUTOSCALING_AUTO_SCALING_GROUP' }), 'no playbook answers a resource of type "AUTOSCALING_AUTO_SCALING_GROUP": reported only'],
  ])('refuses %s', (_, given, reason) => {
    expect(viewOf(given, finding, actors)).toEqual({ ok: false, reason });
  });

  it('refuses a key two actors claim: whose key it is is not known', () => {
    const two: SequenceActor[] = [...actors, { id: 'actor-2', user: { name: 'someone-else', type: 'IAMUser', credentialUid: 'ASIA3EXAMPLETEMP0001' } }];
    expect(viewOf(resource({ resourceType: 'ACCESS_KEY', uid: 'ASIA3EXAMPLETEMP0001', region: 'global' }), finding, two)).toEqual({
      ok: false,
      reason: '2 different actors of the sequence name this key: whose key it is is not known',
    });
  });

  it('refuses every resource of a finding that names no account', () => {
    const noAccount: Finding = { ...finding, accountId: undefined };
    expect(viewOf(resource({}), noAccount, actors)).toEqual({ ok: false, reason: 'the finding names no account' });
  });
});

describe('answerFor: the playbook the routing table picks for one resource', () => {
  const table = effectiveRoutingTable();
  const signal = (name: string, resourceUids: string[], type = 'FINDING'): SequenceSignal => ({ uid: name, type, name, resourceUids });

  it('takes the route of the sequence’s finding naming the resource', () => {
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', [signal('Backdoor:EC2/C&CActivity.B!DNS', ['i-0b2c3d4e5f6071829'])], table)).toMatchObject({
      playbook: 'contain-instance',
      ruleId: 'instance-compromised',
      findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
    });
  });

  it('prefers an acting route to one that reports, whatever the order of the signals', () => {
    const signals = [signal('Recon:EC2/PortProbeUnprotectedPort', ['i-0b2c3d4e5f6071829']), signal('CryptoCurrency:EC2/BitcoinTool.B', ['i-0b2c3d4e5f6071829'])];
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', signals, table).findingType).toBe('CryptoCurrency:EC2/BitcoinTool.B');
  });

  it('reports a resource only activity signals name, or a finding the table does not act on for it', () => {
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', [signal('RunInstances', ['i-0b2c3d4e5f6071829'], 'CLOUD_TRAIL')], table)).toEqual({
      playbook: 'notify',
      ruleId: 'default',
      why: 'no GuardDuty finding of the sequence names this resource: reported only',
    });
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', [signal('Recon:EC2/PortProbeUnprotectedPort', ['i-0b2c3d4e5f6071829'])], table).why).toBe(
      'the routing table acts on none of Recon:EC2/PortProbeUnprotectedPort for a Instance: reported only',
    );
  });

  it.each([
    ['S3Object', 'Object:S3/MaliciousFile', 'quarantine-object', 'malware-in-object'],
    ['RDSDBInstance', 'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', 'contain-database', 'database-login'],
    ['EBSSnapshot', 'Execution:EC2/MaliciousFile!Snapshot', 'quarantine-image', 'infected-snapshot'],
    ['EC2Image', 'Execution:EC2/MaliciousFile!AMI', 'quarantine-image', 'infected-image'],
  ])('answers a %s its finding names with its own playbook (%s: %s)', (resourceType, type, playbook, ruleId) => {
    expect(answerFor('uid-1', resourceType, [signal(type, ['uid-1'])], table)).toMatchObject({ playbook, ruleId, findingType: type });
  });

  it('never takes a brute-force route: the sequence does not say the resource is the attacker', () => {
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', [signal('UnauthorizedAccess:EC2/SSHBruteForce', ['i-0b2c3d4e5f6071829'])], table).playbook).toBe('notify');
  });

  it('follows the team’s routing overrides', () => {
    const removed = effectiveRoutingTable({ add: {}, remove: ['CryptoCurrency:EC2/BitcoinTool.B'] });
    expect(answerFor('i-0b2c3d4e5f6071829', 'Instance', [signal('CryptoCurrency:EC2/BitcoinTool.B', ['i-0b2c3d4e5f6071829'])], removed).playbook).toBe('notify');
  });
});

describe('resolveResources on the EC2 instance-group sequence', () => {
  it('contains both instances, revokes the role whose instance credentials were used outside, reports the Auto Scaling group', () => {
    expect(resolveResources(finding, effectiveRoutingTable()).map((r) => [r.ref, r.resolution.kind, r.resolution.kind === 'answered' ? r.resolution.answer.playbook : r.resolution.reason])).toEqual([
      ['r1', 'answered', 'contain-instance'],
      ['r2', 'answered', 'contain-instance'],
      ['r3', 'refused', 'no playbook answers a resource of type "AUTOSCALING_AUTO_SCALING_GROUP": reported only'],
      ['r4', 'answered', 'revoke-credentials'],
    ]);
  });

  it('answers a resource the sequence names twice (by id and by ARN) once', () => {
    const sequence = finding.service!.detection!.sequence!;
    const twice = { ...sequence, resources: [resource({}), resource({ uid: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0b2c3d4e5f6071829` })] };
    const resolved = resolveResources({ ...finding, service: { ...finding.service!, detection: { sequence: twice } } }, effectiveRoutingTable());
    expect(resolved.map((r) => [r.ref, r.resolution.kind, r.resolution.kind === 'refused' ? r.resolution.reason : ''])).toEqual([
      ['r1', 'answered', ''],
      ['r2', 'refused', 'the sequence names this resource already as r1: it is answered once, there'],
    ]);
  });

  it('acts on at most 20 resources of a sequence, and refuses the rest with the reason', () => {
    const many = { ...finding.service!.detection!.sequence!, resources: Array.from({ length: 22 }, (_, i) => resource({ uid: `i-${i.toString(16).padStart(17, '0')}` })) };
    const big: Finding = { ...finding, service: { ...finding.service!, detection: { sequence: many } } };
    const resolved = resolveResources(big, effectiveRoutingTable());
    expect(resolved.filter((r) => r.resolution.kind === 'refused').map((r) => r.ref)).toEqual(['r21', 'r22']);
  });
});
