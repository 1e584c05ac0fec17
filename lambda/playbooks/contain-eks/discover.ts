import { GetRoleCommand, GetUserCommand, type Tag } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog, ReadResult } from '../../plan/reads';
import { discoverInstance } from '../contain-instance/discover';
import { offlineInstanceFacts } from '../contain-instance/offline-facts';
import { NOT_READ, type IamEntity, type Lookup } from '../revoke-credentials/facts';
import { READ_ROLE, READ_USER } from '../revoke-credentials/specs';
import type { DiscoveryContext } from '../types';
import type { ContainEksFacts } from './facts';
import type { Workload } from './kubectl';
import { kubernetesPrincipalOf, type KubernetesPrincipal } from './principal';

const MISSING_CODES = new Set(['NoSuchEntity', 'NoSuchEntityException']);

function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])));
}

function lookupOf<T>(result: ReadResult<T>, toValue: (value: T) => IamEntity): Lookup<IamEntity> {
  if (result.ok) return { state: 'found', value: toValue(result.value) };
  return MISSING_CODES.has(result.error.code) ? { state: 'missing', error: result.error } : { state: 'failed', error: result.error };
}

async function readPrincipal(principal: KubernetesPrincipal, clients: AwsClients, reads: ReadLog): Promise<Lookup<IamEntity>> {
  if (principal.kind === 'user') {
    const read = await reads.read(READ_USER, `Read IAM user ${principal.name}`, `user/${principal.name}`, () => clients.iam.send(new GetUserCommand({ UserName: principal.name })));
    return lookupOf(read, (out) => ({ id: out.User?.UserId ?? null, arn: out.User?.Arn ?? null, path: out.User?.Path ?? null, tags: tagsOf(out.User?.Tags) }));
  }
  if (principal.kind === 'role') {
    const read = await reads.read(READ_ROLE, `Read IAM role ${principal.name}`, `role/${principal.name}`, () => clients.iam.send(new GetRoleCommand({ RoleName: principal.name })));
    return lookupOf(read, (out) => ({ id: out.Role?.RoleId ?? null, arn: out.Role?.Arn ?? null, path: out.Role?.Path ?? null, tags: tagsOf(out.Role?.Tags) }));
  }
  return NOT_READ;
}

function workloadOf(finding: Finding): Workload | null {
  const workload = finding.resource?.kubernetesDetails?.kubernetesWorkloadDetails;
  // Only a pod is labelled; a deployment or job is named to the reader, not acted on.
  if (!workload?.name || !workload.namespace || (workload.type ?? '').toLowerCase() !== 'pods') return null;
  return { namespace: workload.namespace, pod: workload.name };
}

function nodeNameOf(finding: Finding): string | null {
  return finding.resource?.instanceDetails?.networkInterfaces?.[0]?.privateDnsName || null;
}

function base(finding: Finding): Omit<ContainEksFacts, 'source' | 'node' | 'entity'> {
  return {
    clusterName: finding.resource?.eksClusterDetails?.name ?? null,
    nodeName: nodeNameOf(finding),
    workload: workloadOf(finding),
    principal: kubernetesPrincipalOf(finding),
  };
}

/** The node (contain-instance's own discovery, when the finding names an instance) and the IAM principal, read at once. */
export async function discoverEks(finding: Finding, clients: AwsClients, reads: ReadLog, context: DiscoveryContext = {}): Promise<ContainEksFacts> {
  const known = base(finding);
  const instanceId = finding.resource?.instanceDetails?.instanceId;
  const [node, entity] = await Promise.all([instanceId ? discoverInstance(finding, clients, reads, context) : Promise.resolve(null), readPrincipal(known.principal, clients, reads)]);
  return { ...known, source: 'aws', node, entity };
}

export function offlineEksFacts(finding: Finding): ContainEksFacts {
  const instanceId = finding.resource?.instanceDetails?.instanceId;
  return { ...base(finding), source: 'finding', node: instanceId ? offlineInstanceFacts(finding) : null, entity: NOT_READ };
}
