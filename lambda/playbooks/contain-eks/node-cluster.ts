import { untrusted } from '../../text/untrusted';

/*
 * Whether the instance a finding names is a node of the cluster it names.
 * GuardDuty confirms the finding, but an edited copy could pair a cluster
 * with any instance of the account, and containing a node cuts every
 * workload on it: the instance must carry one of the tags EKS and the
 * node provisioners put on a cluster's nodes, with the finding's cluster.
 */

/** Tag keys whose value is the cluster's name: managed node groups (eks:cluster-name), EKS Auto Mode and Karpenter (eks:eks-cluster-name), CloudFormation-made nodes (aws:eks:cluster-name). */
const CLUSTER_NAME_TAGS = ['eks:cluster-name', 'eks:eks-cluster-name', 'aws:eks:cluster-name'] as const;
/** The tag Kubernetes' cloud provider and every node provisioner use: kubernetes.io/cluster/<name> = owned | shared. */
const OWNERSHIP_VALUES = new Set(['owned', 'shared']);

export type NodeMembership = { readonly member: true; readonly tag: string } | { readonly member: false; readonly why: string };

export function clusterMembership(instanceId: string | null, tags: Readonly<Record<string, string>>, clusterName: string | null): NodeMembership {
  const instance = `instance ${instanceId ?? '(unnamed)'}`;
  if (!clusterName) return { member: false, why: `the finding names no cluster, so ${instance} cannot be verified to be one of its nodes` };
  for (const key of CLUSTER_NAME_TAGS) if (tags[key] === clusterName) return { member: true, tag: `${key}=${clusterName}` };
  const ownership = `kubernetes.io/cluster/${clusterName}`;
  if (OWNERSHIP_VALUES.has(tags[ownership] ?? '')) return { member: true, tag: `${ownership}=${tags[ownership]}` };
  return {
    member: false,
    why: `${instance} carries no tag that makes it a node of cluster ${untrusted(clusterName)} (${CLUSTER_NAME_TAGS.join(', ')} = the cluster's name, or ${untrusted(ownership)} = owned | shared)`,
  };
}
