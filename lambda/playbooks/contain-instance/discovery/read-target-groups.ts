import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known, type TargetGroupMembership, type UnreadTargetGroup } from '../facts';
import { READ_TARGET_GROUPS, READ_TARGET_HEALTH } from '../specs';
import { collectPages, mapConcurrent } from './pages';

export interface TargetGroupFacts {
  readonly memberships: readonly TargetGroupMembership[];
  readonly unreadable: readonly UnreadTargetGroup[];
}

/** Enough to be quick with many groups, few enough not to be throttled. */
const HEALTH_READS_IN_FLIGHT = 16;

/*
 * ELBv2 cannot be asked "which groups hold this instance", so every
 * instance-type group is read, all at once. Registered targets are listed
 * without a Targets filter: one instance can be registered on several ports.
 */
export async function readTargetGroupMemberships(clients: AwsClients, reads: ReadLog, instanceId: string): Promise<Known<TargetGroupFacts>> {
  const groups = await reads.read(READ_TARGET_GROUPS, 'List the target groups', 'target groups', () =>
    collectPages(
      (Marker) => clients.elbv2.send(new DescribeTargetGroupsCommand(Marker ? { Marker } : {})),
      (page) => page.TargetGroups,
      (page) => page.NextMarker,
    ),
  );
  if (!groups.ok) return unknown(`DescribeTargetGroups failed (${groups.error.code})`);
  const instanceGroups = groups.value.filter(holdsInstances);
  const results = await mapConcurrent(instanceGroups, HEALTH_READS_IN_FLIGHT, async (group) => ({
    group,
    health: await reads.read(READ_TARGET_HEALTH, `List the targets of ${group.TargetGroupName ?? group.TargetGroupArn}`, group.TargetGroupArn!, () =>
      clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn })),
    ),
  }));
  const memberships: TargetGroupMembership[] = [];
  const unreadable: UnreadTargetGroup[] = [];
  for (const { group, health } of results) {
    if (!health.ok) {
      unreadable.push({ targetGroupArn: group.TargetGroupArn!, code: health.error.code });
      continue;
    }
    const ports = (health.value.TargetHealthDescriptions ?? [])
      .filter((d) => d.Target?.Id === instanceId && d.Target.Port !== undefined)
      .map((d) => d.Target!.Port!);
    if (ports.length > 0) {
      memberships.push({ targetGroupArn: group.TargetGroupArn!, targetGroupName: group.TargetGroupName ?? '', ports: [...new Set(ports)].sort((a, b) => a - b) });
    }
  }
  return known({ memberships, unreadable });
}

/** Only `instance` groups name instances; `ip` and `lambda` groups cannot hold this instance by id. */
function holdsInstances(group: TargetGroup): boolean {
  return group.TargetGroupArn !== undefined && (group.TargetType === undefined || group.TargetType === 'instance');
}
