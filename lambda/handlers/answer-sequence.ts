import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { answerSequencePlaybook } from '../playbooks/answer-sequence/playbook';
import { EVIDENCE_S3 } from '../runtime/evidence-s3';
import { INVESTIGATION_CLOUDTRAIL } from '../runtime/investigation-cloudtrail';
import { ACTING_CLIENTS, ACTING_HOOKS } from '../runtime/acting-entry';
import { handleEvent } from '../runtime/handle';
import type { LambdaContext } from '../runtime/home-account';
import type { PlaybookEntry } from '../runtime/playbook-entry';

/** The clients of every playbook answer-sequence answers a resource with (lambda/playbooks/answer-sequence/members.ts): a test derives them from its step declarations. */
export const ANSWER_SEQUENCE: PlaybookEntry = {
  playbook: answerSequencePlaybook,
  clientClasses: {
    ec2: EC2Client,
    // contain-task's tasks, task definitions and container instances.
    ecs: ECSClient,
    iam: IAMClient,
    // contain-database's instances, clusters and snapshots.
    rds: RDSClient,
    // quarantine-image's recovery points.
    backup: BackupClient,
    autoScaling: AutoScalingClient,
    elbv2: ElasticLoadBalancingV2Client,
    // revoke-credentials' look-up of what the key did, after it is deactivated: imported on first use, as revoke-credentials' own entry does.
    cloudTrail: INVESTIGATION_CLOUDTRAIL,
    sts: STSClient,
    sns: SNSClient,
    // quarantine-object's and block-public-access's S3 calls (in the finding's account) and the evidence: one class.
    s3: EVIDENCE_S3,
    dynamodb: DynamoDBClient,
    ...ACTING_CLIENTS,
  },
  ...ACTING_HOOKS,
};

export const handler = (event: unknown, context: LambdaContext) => handleEvent(event, context, ANSWER_SEQUENCE);
