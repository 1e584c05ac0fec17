import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { containTaskPlaybook } from '../playbooks/contain-task/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

export const CONTAIN_TASK: PlaybookEntry = {
  playbook: containTaskPlaybook,
  clientClasses: {
    ecs: ECSClient,
    // The EC2 launch type: the instance under the task is contained with contain-instance's steps, in this process.
    ec2: EC2Client,
    autoScaling: AutoScalingClient,
    elbv2: ElasticLoadBalancingV2Client,
    iam: IAMClient,
    sts: STSClient,
    sns: SNSClient,
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    ...ACTING_CLIENTS,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, CONTAIN_TASK);
