import type { Finding } from '../../finding/schema';

/**
 * The finding as contain-instance sees the EC2 instance under a task: the
 * same finding (id, type, account, region, severity), naming that instance
 * (as ECS named it, verified by the caller) as its resource. contain-instance's
 * discovery and planning then run unchanged, in this process.
 */
export function nodeFinding(finding: Finding, instanceId: string): Finding {
  const details = finding.resource?.instanceDetails;
  // The finding's own instance details only when they are of this instance (GuardDuty may send them): its tags count for the exempt-tag guard.
  const instanceDetails = details?.instanceId === instanceId ? details : { instanceId };
  return { ...finding, resource: { ...finding.resource, resourceType: 'Instance', instanceDetails } };
}
