import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { ClientClass, ServiceName } from './clients';

/** Every service's client class: for `ir`, the demo and the tests, which run any playbook. Lambda bundles pass their own few. */
export const EVERY_CLIENT: { readonly [S in ServiceName]: ClientClass<S> } = {
  ec2: EC2Client,
  iam: IAMClient,
  sns: SNSClient,
  autoScaling: AutoScalingClient,
  elbv2: ElasticLoadBalancingV2Client,
  sts: STSClient,
  cloudTrail: CloudTrailClient,
  dynamodb: DynamoDBClient,
  s3: S3Client,
  guardDuty: GuardDutyClient,
  securityHub: SecurityHubClient,
  scheduler: SchedulerClient,
  lambda: LambdaClient,
  ecs: ECSClient,
  rds: RDSClient,
  backup: BackupClient,
};
