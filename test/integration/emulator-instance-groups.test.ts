import { DescribeNetworkInterfacesCommand, ModifyInstanceAttributeCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { launchInstance } from '../../emulator/seed/instances';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni } from './support/ec2-state';

/*
 * The emulator's security groups of an instance behave as EC2's do
 * (emulator/moto_watchdog.py makes moto give them): an instance's groups are
 * its primary network interface's; ModifyInstanceAttribute Groups replaces
 * them and is refused for an instance with several interfaces; each
 * interface shows only its own groups. contain-instance's early move
 * (lambda/playbooks/contain-instance/early/) relies on exactly this.
 */

let account: EmulatedAccount;

beforeAll(async () => {
  account = await freshSeededAccount();
});

async function ownGroups(networkInterfaceId: string): Promise<string[]> {
  const { NetworkInterfaces = [] } = await account.clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));
  return (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId ?? '').sort();
}

it('a single-interface instance: ModifyInstanceAttribute Groups replaces its primary interface’s groups, and the instance shows the same', async () => {
  const { seed } = account;
  const instance = await launchInstance(account.clients.ec2, seed.network, { name: 'groups-single' });
  expect(instance.networkInterfaces).toHaveLength(1);
  const eni = instance.networkInterfaces[0]!.networkInterfaceId;
  await account.clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instance.instanceId, Groups: [seed.network.securityGroups.admin] }));
  expect(await ownGroups(eni)).toEqual([seed.network.securityGroups.admin]);
  const described = await describeInstance(account.clients.ec2, instance.instanceId);
  expect(groupsByEni(described)).toEqual({ [eni]: [seed.network.securityGroups.admin] });
  expect((described.SecurityGroups ?? []).map((g) => g.GroupId)).toEqual([seed.network.securityGroups.admin]);

  // Then the interface by its id: the instance's groups follow it (one list in EC2), nothing of the earlier call is left.
  await account.clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: [seed.network.securityGroups.database] }));
  expect(await ownGroups(eni)).toEqual([seed.network.securityGroups.database]);
  const again = await describeInstance(account.clients.ec2, instance.instanceId);
  expect(groupsByEni(again)).toEqual({ [eni]: [seed.network.securityGroups.database] });
  expect((again.SecurityGroups ?? []).map((g) => g.GroupId)).toEqual([seed.network.securityGroups.database]);
});

it('an instance with several interfaces: ModifyInstanceAttribute Groups is refused (InvalidInstanceID) and nothing changes; each interface shows its own groups', async () => {
  const { seed } = account;
  const described = await describeInstance(account.clients.ec2, seed.instanceA.instanceId);
  const before = groupsByEni(described);
  expect(Object.keys(before).length).toBeGreaterThan(1);
  await expect(account.clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: seed.instanceA.instanceId, Groups: [seed.network.securityGroups.admin] }))).rejects.toMatchObject({
    name: 'InvalidInstanceID',
    message: expect.stringContaining('multiple interfaces'),
  });
  expect(groupsByEni(await describeInstance(account.clients.ec2, seed.instanceA.instanceId))).toEqual(before);

  const secondary = seed.instanceA.networkInterfaces.find((eni) => eni.deviceIndex !== 0)!;
  const primary = seed.instanceA.networkInterfaces.find((eni) => eni.deviceIndex === 0)!;
  await account.clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: secondary.networkInterfaceId, Groups: [seed.network.securityGroups.database] }));
  expect(await ownGroups(secondary.networkInterfaceId)).toEqual([seed.network.securityGroups.database]);
  expect(await ownGroups(primary.networkInterfaceId)).toEqual([...before[primary.networkInterfaceId]!].sort());
});
