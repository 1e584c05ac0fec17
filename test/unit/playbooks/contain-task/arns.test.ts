import { parseClusterArn, parseContainerInstanceArn, parseTaskArn, parseTaskDefinitionArn } from '../../../../lambda/playbooks/contain-task/arns';

const SCOPE = { partition: 'aws', region: 'us-east-1', accountId: '222222222222' };
const ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('the ECS ARNs a finding names', () => {
  it('parse when of the finding’s partition, account and region', () => {
    expect(parseClusterArn('arn:aws:ecs:us-east-1:222222222222:cluster/checkout', SCOPE)).toEqual({ ...SCOPE, arn: 'arn:aws:ecs:us-east-1:222222222222:cluster/checkout', name: 'checkout' });
    expect(parseTaskArn(`arn:aws:ecs:us-east-1:222222222222:task/checkout/${ID}`, SCOPE)).toMatchObject({ id: ID, clusterName: 'checkout' });
    // The old format names no cluster.
    expect(parseTaskArn(`arn:aws:ecs:us-east-1:222222222222:task/${ID}`, SCOPE)).toMatchObject({ id: ID, clusterName: undefined });
    expect(parseTaskDefinitionArn('arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:3', SCOPE)).toMatchObject({ family: 'checkout', revision: 3 });
    expect(parseContainerInstanceArn(`arn:aws:ecs:us-east-1:222222222222:container-instance/batch/${ID}`, SCOPE)).toMatchObject({ clusterName: 'batch' });
  });

  it.each([
    ['another account', `arn:aws:ecs:us-east-1:333333333333:task/checkout/${ID}`],
    ['another region', `arn:aws:ecs:eu-west-1:222222222222:task/checkout/${ID}`],
    ['another partition', `arn:aws-cn:ecs:us-east-1:222222222222:task/checkout/${ID}`],
    ['another service', `arn:aws:ec2:us-east-1:222222222222:task/checkout/${ID}`],
    ['a service, not a task', 'arn:aws:ecs:us-east-1:222222222222:service/checkout/web'],
    ['a path in the cluster name', `arn:aws:ecs:us-east-1:222222222222:task/a/b/${ID}`],
    ['a task id that is not one', 'arn:aws:ecs:us-east-1:222222222222:task/checkout/../../x'],
    ['no ARN at all', 'checkout'],
  ])('refuse a task ARN of %s', (_, arn) => {
    expect(parseTaskArn(arn, SCOPE)).toBeUndefined();
  });

  it.each([
    'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout',
    'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:0',
    'arn:aws:ecs:us-east-1:222222222222:task-definition/check out:3',
    'arn:aws:ecs:us-east-1:333333333333:task-definition/checkout:3',
  ])('refuse the task definition ARN %s', (arn) => {
    expect(parseTaskDefinitionArn(arn, SCOPE)).toBeUndefined();
  });

  it('refuse a cluster ARN with a path or of another account', () => {
    expect(parseClusterArn('arn:aws:ecs:us-east-1:222222222222:cluster/a/b', SCOPE)).toBeUndefined();
    expect(parseClusterArn('arn:aws:ecs:us-east-1:333333333333:cluster/checkout', SCOPE)).toBeUndefined();
  });
});
