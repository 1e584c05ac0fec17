import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../lambda/aws/clients';
import { seedFleet, type SeededFleet } from './seed/fleet';
import { seedIdentities, type SeededIdentities } from './seed/iam';
import { seedInstances, type SeededInstances } from './seed/instances';
import { seedNetwork, type SeededNetwork } from './seed/network';
import { seedNotifications, type SeededNotifications } from './seed/notifications';
import { required } from './seed/util';

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
}

export async function seedAccount(clients: AwsClients, sqs: SQSClient, region: string): Promise<SeededAccount> {
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
  return { accountId: required(identity.Account, 'account id'), region, network, identities, ...instances, fleet, notifications };
}
