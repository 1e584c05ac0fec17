import { acknowledgements, nagFindings } from './support/nag';
import { synthesize, type Synthesized } from './support/synth';

// contain-instance declares one action of every scope kind, whatever the real playbook declares today.
jest.mock('../../lambda/playbooks/registry', () =>
  jest.requireActual('./support/wide-actions').registryWithWideContainInstance(jest.requireActual('../../lambda/playbooks/registry')),
);

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
});

describe('cdk-nag with wildcard resources of every kind', () => {
  it('reports nothing unacknowledged', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('acknowledges each wildcard resource on the role, with the actions it serves and why', () => {
    const rolePath = synth.stack.playbooks['contain-instance'].role.node.path;
    const iam5 = Object.fromEntries(
      acknowledgements(synth.app)
        .filter((ack) => ack.path === rolePath && ack.id.startsWith('AwsSolutions-IAM5'))
        .map((ack) => [ack.id, ack.reason]),
    );
    expect(Object.keys(iam5).sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:*:<AWS::AccountId>:targetgroup/*/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*]',
        'AwsSolutions-IAM5[Resource::<EvidenceBucketC67FF768.Arn>/incidents/*]',
      ].sort(),
    );
    const star = iam5['AwsSolutions-IAM5[Resource::*]']!;
    const starActions = star.slice(0, star.indexOf(': ')).split(', ');
    expect(starActions).toEqual([
      'autoscaling:DescribeAutoScalingInstances',
      'ec2:CreateSnapshots',
      'ec2:DescribeInstances',
      'ec2:ModifyInstanceAttribute',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
    expect(star).toContain('do not support resource-level permissions');
    expect(star).toContain('known only at run time');
    const users = iam5['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]'];
    expect(users).toMatch(/^iam:UpdateAccessKey: .*users of this account/);
    expect(iam5['AwsSolutions-IAM5[Resource::<EvidenceBucketC67FF768.Arn>/incidents/*]']).toMatch(/^s3:PutObject: /);
    expect(iam5['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*]']).toMatch(/^ec2:GetConsoleOutput: /);
  });
});
