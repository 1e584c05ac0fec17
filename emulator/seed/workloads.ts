import { CreateClusterCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, type RDSClient } from '@aws-sdk/client-rds';
import { CreateBucketCommand, DeletePublicAccessBlockCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SeededNetwork } from './network';
import { required } from './util';

/*
 * The workloads GuardDuty's other resource types name (issue 14): a bucket
 * whose Block Public Access is off, a function with its own execution role,
 * a PostgreSQL instance in the VPC behind the database group, and an ECS
 * cluster running one task on a container instance. Names are fixed, like the rest of the
 * seeded account.
 */

export interface SeededWorkloads {
  readonly bucket: { readonly name: string; readonly objectKey: string };
  readonly lambdaFunction: { readonly name: string; readonly arn: string; readonly roleName: string; readonly roleArn: string };
  readonly database: { readonly identifier: string; readonly arn: string; readonly securityGroupIds: readonly string[] };
  readonly ecs: {
    readonly clusterName: string;
    readonly clusterArn: string;
    readonly containerInstanceArn: string;
    readonly hostInstanceId: string;
    readonly taskArn: string;
    readonly taskDefinitionArn: string;
  };
}

export interface WorkloadClients {
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
  readonly rds: RDSClient;
  readonly ecs: ECSClient;
  readonly iam: IAMClient;
}

export const SEEDED_BUCKET = 'customer-uploads-demo';
export const SEEDED_FUNCTION = 'invoice-renderer';
export const SEEDED_DATABASE = 'orders-db';
export const SEEDED_CLUSTER = 'payments';

async function seedBucket(s3: S3Client): Promise<SeededWorkloads['bucket']> {
  await s3.send(new CreateBucketCommand({ Bucket: SEEDED_BUCKET }));
  // Someone turned Block Public Access off: what Policy:S3/BucketBlockPublicAccessDisabled reports.
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: SEEDED_BUCKET }));
  const objectKey = 'uploads/invoice-2026-11.pdf';
  await s3.send(new PutObjectCommand({ Bucket: SEEDED_BUCKET, Key: objectKey, Body: 'not really a PDF' }));
  return { name: SEEDED_BUCKET, objectKey };
}

const FUNCTION_ROLE = 'invoice-renderer-execution';

async function seedFunction(lambda: LambdaClient, iam: IAMClient): Promise<SeededWorkloads['lambdaFunction']> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: FUNCTION_ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const role = { name: FUNCTION_ROLE, arn: required(Role?.Arn, 'function role ARN') };
  // The emulator never runs it: an empty ZIP archive (its 22-byte end-of-central-directory record alone) is valid code for CreateFunction.
  const code = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  const created = await lambda.send(
    new CreateFunctionCommand({ FunctionName: SEEDED_FUNCTION, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role.arn, Code: { ZipFile: code } }),
  );
  return { name: SEEDED_FUNCTION, arn: required(created.FunctionArn, 'function ARN'), roleName: role.name, roleArn: role.arn };
}

async function seedDatabase(rds: RDSClient, network: SeededNetwork): Promise<SeededWorkloads['database']> {
  await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'orders-db-subnets', DBSubnetGroupDescription: 'orders', SubnetIds: [...network.subnetIds] }));
  const created = await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: SEEDED_DATABASE,
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'orders_admin',
      MasterUserPassword: 'not-a-real-password-1',
      DBSubnetGroupName: 'orders-db-subnets',
      VpcSecurityGroupIds: [network.securityGroups.database],
    }),
  );
  const instance = required(created.DBInstance, 'DB instance');
  return { identifier: SEEDED_DATABASE, arn: required(instance.DBInstanceArn, 'DB instance ARN'), securityGroupIds: [network.securityGroups.database] };
}

async function seedEcs(ecs: ECSClient, hostInstanceId: string, region: string): Promise<SeededWorkloads['ecs']> {
  const cluster = await ecs.send(new CreateClusterCommand({ clusterName: SEEDED_CLUSTER }));
  // The EC2 launch type, on a container instance backed by a seeded instance: moto cannot run an awsvpc (Fargate) task (its ENI lacks a private DNS name).
  const host = await ecs.send(
    new RegisterContainerInstanceCommand({ cluster: SEEDED_CLUSTER, instanceIdentityDocument: JSON.stringify({ instanceId: hostInstanceId, region }) }),
  );
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'payments-api',
      networkMode: 'bridge',
      containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/docker/library/nginx:1.27', essential: true, cpu: 256, memory: 512 }],
    }),
  );
  const taskDefinitionArn = required(definition.taskDefinition?.taskDefinitionArn, 'task definition ARN');
  const run = await ecs.send(new RunTaskCommand({ cluster: SEEDED_CLUSTER, taskDefinition: taskDefinitionArn, launchType: 'EC2' }));
  return {
    clusterName: SEEDED_CLUSTER,
    clusterArn: required(cluster.cluster?.clusterArn, 'cluster ARN'),
    containerInstanceArn: required(host.containerInstance?.containerInstanceArn, 'container instance ARN'),
    hostInstanceId,
    taskArn: required(run.tasks?.[0]?.taskArn, 'task ARN'),
    taskDefinitionArn,
  };
}

export interface WorkloadInputs {
  readonly network: SeededNetwork;
  /** The EC2 instance the ECS container instance runs on. */
  readonly containerHostId: string;
  readonly region: string;
}

export async function seedWorkloads(clients: WorkloadClients, inputs: WorkloadInputs): Promise<SeededWorkloads> {
  return {
    bucket: await seedBucket(clients.s3),
    lambdaFunction: await seedFunction(clients.lambda, clients.iam),
    database: await seedDatabase(clients.rds, inputs.network),
    ecs: await seedEcs(clients.ecs, inputs.containerHostId, inputs.region),
  };
}
