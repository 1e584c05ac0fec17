import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type AutoScalingMembership, type Known } from '../facts';
import { READ_AUTO_SCALING_MEMBERSHIP } from '../specs';

export async function readAutoScalingMembership(clients: AwsClients, reads: ReadLog, instanceId: string): Promise<Known<AutoScalingMembership | null>> {
  const result = await reads.read(READ_AUTO_SCALING_MEMBERSHIP, 'Find the Auto Scaling group of the instance', instanceId, () =>
    clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] })),
  );
  if (!result.ok) return unknown(`DescribeAutoScalingInstances failed (${result.error.code})`);
  const member = (result.value.AutoScalingInstances ?? []).find((i) => i.InstanceId === instanceId && i.AutoScalingGroupName);
  return known(member ? { groupName: member.AutoScalingGroupName!, lifecycleState: member.LifecycleState ?? 'unknown' } : null);
}
