import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_DESCRIPTIONS, type SecurityGroupPurpose } from '../names';

/*
 * A CreateSecurityGroup whose answer was lost (the connection dropped, or it
 * came after the client's timeout) has created the group all the same, and
 * the SDK's retry of the same request then fails with InvalidGroup.Duplicate:
 * it met its own write. The name was drawn by this run a moment before
 * (8 random hex digits), so no one else can have made a group of that name
 * first; the group of that name in the VPC, with exactly the description
 * and tags this run asked for, is the one this run created. Anything else
 * under that name is not adopted, and the caller draws another name.
 */

/** The id of the group this run's own request created under `groupName`, or undefined if the group there is not that. */
export async function ownCreatedGroup(ec2: EC2Client, vpcId: string, purpose: SecurityGroupPurpose, groupName: string): Promise<string | undefined> {
  const answer = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: [groupName] }] }));
  const SecurityGroups = answer?.SecurityGroups ?? [];
  // Checked again here: a filter the API ignored must not make another group ours.
  const named = SecurityGroups.filter((g) => g.GroupName === groupName && g.VpcId === vpcId);
  if (named.length !== 1) return undefined;
  const group = named[0]!;
  const tags = Object.fromEntries((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const asCreated =
    group.Description === SECURITY_GROUP_DESCRIPTIONS[purpose] &&
    tags.Name === groupName &&
    tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE &&
    tags[PURPOSE_TAG] === purpose;
  return asCreated ? group.GroupId : undefined;
}
