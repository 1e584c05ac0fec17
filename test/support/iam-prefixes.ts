import type { ServiceName } from '../../lambda/aws/clients';

/** The IAM service prefix of each client: what the IAM actions of its calls start with. */
export const IAM_PREFIX_OF = {
  ec2: 'ec2',
  iam: 'iam',
  sns: 'sns',
  autoScaling: 'autoscaling',
  elbv2: 'elasticloadbalancing',
  sts: 'sts',
  cloudTrail: 'cloudtrail',
  dynamodb: 'dynamodb',
  s3: 's3',
  guardDuty: 'guardduty',
  securityHub: 'securityhub',
  scheduler: 'scheduler',
  lambda: 'lambda',
  ecs: 'ecs',
  rds: 'rds',
  backup: 'backup',
} as const satisfies Readonly<Record<ServiceName, string>>;

export type IamPrefix = (typeof IAM_PREFIX_OF)[ServiceName];
