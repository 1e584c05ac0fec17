import { DescribeSecurityGroupsCommand, type IpPermission, type SecurityGroup } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known, type ResponderSecurityGroup, type SecurityGroupRule } from '../facts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_PURPOSES, type SecurityGroupPurpose } from '../names';
import { READ_RESPONDER_SECURITY_GROUPS } from '../specs';
import { collectPages } from './pages';

export const RESPONDER_GROUP_FILTERS = [
  { Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] },
  { Name: `tag:${PURPOSE_TAG}`, Values: [...SECURITY_GROUP_PURPOSES] },
];

/** Every VPC's untrack and isolation groups in one call: the VPCs are not known yet when this runs. */
export async function readResponderSecurityGroups(clients: AwsClients, reads: ReadLog): Promise<Known<readonly ResponderSecurityGroup[]>> {
  const result = await reads.read(READ_RESPONDER_SECURITY_GROUPS, 'Find the isolation security groups', 'responder security groups', () =>
    collectPages(
      (NextToken) => clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: RESPONDER_GROUP_FILTERS, ...(NextToken ? { NextToken } : {}) })),
      (page) => page.SecurityGroups,
      (page) => page.NextToken,
    ),
  );
  if (!result.ok) return unknown(`DescribeSecurityGroups failed (${result.error.code})`);
  return known(result.value.flatMap((group) => responderGroupOf(group) ?? []));
}

function purposeOf(group: SecurityGroup): SecurityGroupPurpose | undefined {
  const value = group.Tags?.find((t) => t.Key === PURPOSE_TAG)?.Value;
  return SECURITY_GROUP_PURPOSES.find((p) => p === value);
}

/** The group as the plan sees it; undefined when it lacks an id, a VPC or a purpose the responder knows. */
export function responderGroupOf(group: SecurityGroup): ResponderSecurityGroup | undefined {
  const purpose = purposeOf(group);
  if (!group.GroupId || !group.VpcId || !purpose) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of group.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return {
    groupId: group.GroupId,
    groupName: group.GroupName ?? '',
    description: group.Description ?? '',
    vpcId: group.VpcId,
    purpose,
    tags,
    ingress: rulesOf(group.IpPermissions),
    egress: rulesOf(group.IpPermissionsEgress),
  };
}

/** Every rule of a permission list, one per peer (AWS groups the peers of one protocol and port range in one permission). */
export function rulesOf(permissions: readonly IpPermission[] | undefined): SecurityGroupRule[] {
  return (permissions ?? []).flatMap((permission) => {
    const protocol = permission.IpProtocol ?? '';
    const rule = (peer: string): SecurityGroupRule => ({ protocol, fromPort: permission.FromPort ?? null, toPort: permission.ToPort ?? null, peer });
    return [
      ...(permission.IpRanges ?? []).map((r) => rule(`ipv4:${r.CidrIp ?? ''}`)),
      ...(permission.Ipv6Ranges ?? []).map((r) => rule(`ipv6:${r.CidrIpv6 ?? ''}`)),
      ...(permission.UserIdGroupPairs ?? []).map((p) => rule(`group:${p.GroupId ?? p.GroupName ?? ''}`)),
      ...(permission.PrefixListIds ?? []).map((p) => rule(`prefix-list:${p.PrefixListId ?? ''}`)),
    ];
  });
}
