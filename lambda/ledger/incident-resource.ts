import { accessKeyOf, instanceIdOf, isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { databaseTargetOf } from '../finding/database-target';
import { imageTargetOf } from '../finding/image-target';
import type { PlaybookName } from '../routing/playbook-names';

/*
 * The resource an incident is about: one incident per resource, whatever the
 * number, ids and types of the findings about it (lambda/ledger/resource-incidents.ts).
 * It is the resource the playbook acts on, so that the brake counts resources
 * contained, and one instance gets one snapshot set and one isolation.
 *
 * notify acts on nothing, and a finding that names no resource (or GuardDuty's
 * placeholder of a sample finding) has nothing to share: they keep an
 * incident per finding.
 */

/** GuardDuty's sample findings name placeholder resources ("GeneratedFindingAccessKeyId", ...). */
const PLACEHOLDER = /^GeneratedFinding/;

/** An instance's resource key (its incidents', and `ir release`'s when it closes them). */
export function instanceResource(accountId: string, region: string, instanceId: string): string {
  return `ec2-instance/${accountId}/${region}/${instanceId}`;
}

/** An access key's resource key: IAM is global, a key is the same in every region. */
export function accessKeyResource(accountId: string, accessKeyId: string): string {
  return `access-key/${accountId}/${accessKeyId}`;
}

/** The resource's key, e.g. `ec2-instance/111111111111/us-east-1/i-0abc`; undefined: the incident is the finding's own. */
export function incidentResourceOf(finding: Finding, playbook: PlaybookName): string | undefined {
  const account = finding.accountId;
  if (!account || isSampleFinding(finding)) return undefined;
  switch (playbook) {
    case 'contain-instance': {
      const instanceId = instanceIdOf(finding);
      return instanceId && finding.region ? instanceResource(account, finding.region, instanceId) : undefined;
    }
    case 'revoke-credentials': {
      // IAM is global: a key (or a principal) is the same in every region.
      const key = accessKeyOf(finding);
      const usable = (value: string | null | undefined) => (value && !PLACEHOLDER.test(value) ? value : undefined);
      const accessKeyId = usable(key?.accessKeyId);
      if (accessKeyId) return accessKeyResource(account, accessKeyId);
      const principal = usable(key?.principalId) ?? usable(key?.userName);
      return principal ? `principal/${account}/${principal}` : undefined;
    }
    case 'contain-database': {
      // The database the finding names (its cluster, when it is a cluster's, is only known once read): one incident per name.
      const target = databaseTargetOf(finding);
      if (target.kind === 'none' || !finding.region) return undefined;
      const name = target.kind === 'instance' ? `db/${target.dbInstanceIdentifier}` : `cluster/${target.dbClusterIdentifier}`;
      return `rds/${account}/${finding.region}/${name}`;
    }
    case 'quarantine-image': {
      const target = imageTargetOf(finding);
      if (target.kind === 'none' || !finding.region) return undefined;
      const id = target.kind === 'snapshot' ? target.snapshotId : target.kind === 'image' ? target.imageId : target.recoveryPointArn;
      return `backup-image/${account}/${finding.region}/${id}`;
    }
    case 'notify':
      return undefined;
  }
}
