import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import type { StepSpec } from '../../../plan/types';
import { known, unknown, type InstanceProfileFacts, type Known, type ProfileAssociation, type RoleFacts } from '../facts';
import { READ_INSTANCE_PROFILE, READ_PROFILE_ASSOCIATION, READ_PROFILE_SHARERS } from '../specs';
import { collectPages } from './pages';

/** `arn:aws:iam::123456789012:instance-profile/some/path/name` → `name`. */
export function instanceProfileNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The instance's live profile association; `spec` names the read in the report (contain-instance's, or `ir release`'s). */
export async function readProfileAssociation(
  clients: AwsClients,
  reads: ReadLog,
  instanceId: string,
  spec: StepSpec = READ_PROFILE_ASSOCIATION,
): Promise<Known<ProfileAssociation | null>> {
  const result = await reads.read(spec, 'Find the instance profile association', instanceId, () =>
    clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [
          { Name: 'instance-id', Values: [instanceId] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      }),
    ),
  );
  if (!result.ok) return unknown(`DescribeIamInstanceProfileAssociations failed (${result.error.code})`);
  const association = result.value.IamInstanceProfileAssociations?.find((a) => a.InstanceId === instanceId);
  return known(association?.AssociationId ? { associationId: association.AssociationId, profileArn: association.IamInstanceProfile?.Arn ?? '' } : null);
}

/** The role behind the profile, and who else uses the profile: both change what revoking its sessions means. */
export async function readInstanceProfile(clients: AwsClients, reads: ReadLog, instanceId: string, profileArn: string): Promise<InstanceProfileFacts> {
  const [role, sharedWith] = await Promise.all([readRole(clients, reads, profileArn), readSharers(clients, reads, instanceId, profileArn)]);
  return { arn: profileArn, role, sharedWith };
}

async function readRole(clients: AwsClients, reads: ReadLog, profileArn: string): Promise<Known<RoleFacts | null>> {
  const name = instanceProfileNameOf(profileArn);
  const result = await reads.read(READ_INSTANCE_PROFILE, `Read instance profile ${name}`, profileArn, () =>
    clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })),
  );
  if (!result.ok) return unknown(`GetInstanceProfile failed (${result.error.code})`);
  const role = result.value.InstanceProfile?.Roles?.[0];
  return known(role?.RoleName ? { roleName: role.RoleName, path: role.Path ?? '/', arn: role.Arn ?? '' } : null);
}

/*
 * Who else holds the profile, from the region's profile associations (each
 * names its instance and profile ARN) rather than DescribeInstances with the
 * iam-instance-profile.arn filter: the emulator lacks that filter, and this
 * way the read needs no action beyond the one the association read uses.
 * 'disassociating' is left out: that instance is losing the profile already.
 */
async function readSharers(clients: AwsClients, reads: ReadLog, instanceId: string, profileArn: string): Promise<Known<readonly string[]>> {
  const result = await reads.read(READ_PROFILE_SHARERS, 'Find other instances using the same instance profile', profileArn, () =>
    collectPages(
      (NextToken) =>
        clients.ec2.send(
          new DescribeIamInstanceProfileAssociationsCommand({
            Filters: [{ Name: 'state', Values: ['associating', 'associated'] }],
            // The largest page AWS allows: the listing spans the whole region, and collectPages stops after a bounded number of pages.
            MaxResults: 1000,
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      (page) => page.IamInstanceProfileAssociations,
      (page) => page.NextToken,
    ),
  );
  if (!result.ok) return unknown(`DescribeIamInstanceProfileAssociations failed (${result.error.code})`);
  const others = result.value.flatMap((a) => (a.IamInstanceProfile?.Arn === profileArn && a.InstanceId && a.InstanceId !== instanceId ? [a.InstanceId] : []));
  return known([...new Set(others)].sort());
}
