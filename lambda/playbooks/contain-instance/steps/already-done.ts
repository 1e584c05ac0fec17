import { DescribeIamInstanceProfileAssociationsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/*
 * A removal whose answer was lost (the connection dropped, or the answer came
 * after the client's timeout) has happened all the same, and the SDK's retry
 * of it then meets its own write: EC2 no longer knows the association
 * (InvalidAssociationID.NotFound), the load balancer no longer has the target
 * (InvalidTarget, as the emulator answers). The end wanted is reached, so
 * the step is done, but only once a read confirms it: the same code could
 * mean another thing (a wrong id), and then the step fails as it did.
 */

/** Whether the instance has no association left that is, or is becoming, active. */
export async function profileAssociationGone(ec2: EC2Client, instanceId: string, associationId: string): Promise<boolean> {
  const answer = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const associations = answer?.IamInstanceProfileAssociations ?? [];
  const live = associations.filter((a) => a.InstanceId === instanceId && (a.State === 'associated' || a.State === 'associating'));
  const same = associations.filter((a) => a.AssociationId === associationId && a.State !== 'disassociated');
  return live.length === 0 && same.length === 0;
}

/** Whether the target group lists none of these targets any more (a target being drained is on its way out, as deregistration leaves it). */
export async function targetsGone(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string, instanceId: string): Promise<boolean> {
  const answer = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return !(answer?.TargetHealthDescriptions ?? []).some((t) => t.Target?.Id === instanceId && t.TargetHealth?.State !== 'draining');
}
