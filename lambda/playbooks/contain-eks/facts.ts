import type { InstanceFacts } from '../contain-instance/facts';
import type { IamEntity, Lookup } from '../revoke-credentials/facts';
import type { Workload } from './kubectl';
import type { KubernetesPrincipal } from './principal';

/** An IAM user or role with IAM's unique id (UserId / RoleId), which the Kubernetes uid is compared with. */
export type EksIamEntity = IamEntity;

export interface ContainEksFacts {
  readonly source: 'aws' | 'finding';
  readonly clusterName: string | null;
  /** The node the finding names (resource.instanceDetails), as contain-instance read it; null: the finding names none. */
  readonly node: InstanceFacts | null;
  /** The node's Kubernetes name (its private DNS name, as EKS names nodes); null when the finding does not say. */
  readonly nodeName: string | null;
  readonly workload: Workload | null;
  readonly principal: KubernetesPrincipal;
  /** The IAM user or role the username claims, read (GetUser / GetRole) for its path, ARN and unique id; not read for an unmapped user. */
  readonly entity: Lookup<EksIamEntity>;
}
