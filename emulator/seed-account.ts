import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../lambda/aws/clients';
import { seedFleet, type SeededFleet } from './seed/fleet';
import { seedIdentities, type SeededIdentities } from './seed/iam';
import { seedInstances, type SeededInstances } from './seed/instances';
import { seedNetwork, type SeededNetwork } from './seed/network';
import { seedNotifications, type SeededNotifications } from './seed/notifications';
import { required } from './seed/util';
import { seedWorkloads, type SeededWorkloads } from './seed/workloads';

/*
 * One realistic account in the emulator, and the ids of everything in it,
 * for the demo and the integration tests. Seed into a freshly reset
 * emulator: names are fixed (web-tier-asg, deploy-bot, ...).
 */

export interface SeededAccount extends SeededInstances {
  readonly accountId: string;
  readonly region: string;
  readonly network: SeededNetwork;
  readonly identities: SeededIdentities;
  readonly fleet: SeededFleet;
  readonly notifications: SeededNotifications;
  /** The bucket, function, database and ECS task of the other resource types, when asked for (the demo). */
  readonly workloads?: SeededWorkloads;
}

export interface SeedOptions {
  /** Also seed the workloads of the other resource types (emulator/seed/workloads.ts): the demo answers findings about them. */
  readonly workloads?: boolean;
}

export async function seedAccount(clients: AwsClients, sqs: SQSClient, region: string, options: SeedOptions = {}): Promise<SeededAccount> {
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const network = await seedNetwork(clients.ec2, region);
  const identities = await seedIdentities(clients.iam);
  const instances = await seedInstances(clients.ec2, network, identities.instanceProfile.arn);
  const fleet = await seedFleet(clients.ec2, clients.autoScaling, clients.elbv2, {
    vpcId: network.vpcId,
    subnetId: network.subnetIds[0],
    imageId: instances.instanceA.imageId,
    instanceId: instances.instanceA.instanceId,
  });
  const notifications = await seedNotifications(clients.sns, sqs);
  const workloads = options.workloads
    ? await seedWorkloads(
        { s3: clients.s3, lambda: clients.lambda, rds: clients.rds, ecs: clients.ecs, iam: clients.iam },
        { network, containerHostId: instances.instanceB.instanceId, region },
      )
    : undefined;
  return { accountId: required(identity.Account, 'account id'), region, network, identities, ...instances, fleet, notifications, ...(workloads ? { workloads } : {}) };
}
