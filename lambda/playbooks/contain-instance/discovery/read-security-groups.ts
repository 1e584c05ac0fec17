import { DescribeSecurityGroupsCommand, type IpPermission, type SecurityGroup } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known, type ResponderSecurityGroup, type RuleSummary } from '../facts';
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
  return known(result.value.flatMap(toResponderGroup));
}

function purposeOf(group: SecurityGroup): SecurityGroupPurpose | undefined {
  const value = group.Tags?.find((t) => t.Key === PURPOSE_TAG)?.Value;
  return SECURITY_GROUP_PURPOSES.find((p) => p === value);
}

function toResponderGroup(group: SecurityGroup): ResponderSecurityGroup[] {
  const purpose = purposeOf(group);
  if (!group.GroupId || !group.VpcId || !purpose) return [];
  return [
    {
      groupId: group.GroupId,
      groupName: group.GroupName ?? '',
      vpcId: group.VpcId,
      purpose,
      ingress: summarizeRules(group.IpPermissions),
      egress: summarizeRules(group.IpPermissionsEgress),
    },
  ];
}

export function summarizeRules(permissions: readonly IpPermission[] | undefined): RuleSummary {
  let allTrafficIpv4 = false;
  let allTrafficIpv6 = false;
  let otherRules = 0;
  for (const permission of permissions ?? []) {
    const allProtocols = permission.IpProtocol === '-1';
    for (const range of permission.IpRanges ?? []) {
      if (allProtocols && range.CidrIp === '0.0.0.0/0') allTrafficIpv4 = true;
      else otherRules += 1;
    }
    for (const range of permission.Ipv6Ranges ?? []) {
      if (allProtocols && range.CidrIpv6 === '::/0') allTrafficIpv6 = true;
      else otherRules += 1;
    }
    otherRules += (permission.UserIdGroupPairs ?? []).length + (permission.PrefixListIds ?? []).length;
  }
  return { allTrafficIpv4, allTrafficIpv6, otherRules };
}
