import { CreateSnapshotCommand, ModifySnapshotAttributeCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SeededAccount } from '../emulator/seed-account';
import { launchInstance } from '../emulator/seed/instances';
import { demoFindings } from '../demo/instantiate';
import { loadFixture } from '../test/support/fixtures';

/*
 * Findings about the resources of the demo's seeded account (seedAccount
 * with workloads): the demo's own findings where it has one, the playbook's
 * fixture pointed at the seeded resource where it has none (the ECS task,
 * the bucket's object). For the benchmark's runs of each playbook.
 */

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the benchmark edits fixture JSON

export const SEEDED_TARGET_PLAYBOOKS = [
  'contain-instance',
  'revoke-credentials',
  'block-public-access',
  'contain-function',
  'contain-database',
  'contain-task',
  'quarantine-object',
  'quarantine-image',
  'contain-eks',
] as const;
export type SeededTargetPlaybook = (typeof SEEDED_TARGET_PLAYBOOKS)[number];

/** The demo's findings (demo/findings/) about the seeded resources, by file prefix. */
const DEMO_FINDING_OF = {
  'contain-instance': '1-',
  'revoke-credentials': '4-',
  'block-public-access': '6-',
  'contain-function': '7-',
  'contain-database': '8-',
} as const satisfies Partial<Record<SeededTargetPlaybook, string>>;

function workloadsOf(seed: SeededAccount): NonNullable<SeededAccount['workloads']> {
  if (!seed.workloads) throw new Error('the seeded account has no workloads (seedAccount without { workloads: true })');
  return seed.workloads;
}

/** A playbook's fixture in the seeded account, with a finding id of its own. */
function fixtureIn(seed: SeededAccount, fixture: string, id: string): Json {
  const event = structuredClone(loadFixture(fixture)) as Json;
  const detail = event.detail as Json;
  Object.assign(event, { account: seed.accountId, region: seed.region });
  Object.assign(detail, { accountId: seed.accountId, region: seed.region, id, arn: `arn:aws:guardduty:${seed.region}:${seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  return event;
}

/** contain-task's fixture, naming the seeded ECS task on its container instance (launch type EC2: moto runs no awsvpc task). */
function taskEvent(seed: SeededAccount): Json {
  const ecs = workloadsOf(seed).ecs;
  const event = fixtureIn(seed, 'contain-task/fargate-bitcoin-dns.event.json', 'b0c0ffee000000000000000000000001');
  const cluster = (event.detail as Json).resource.ecsClusterDetails as Json;
  Object.assign(cluster, { arn: ecs.clusterArn, name: ecs.clusterName });
  Object.assign(cluster.taskDetails as Json, { arn: ecs.taskArn, definitionArn: ecs.taskDefinitionArn, launchType: 'EC2' });
  delete (event.detail as Json).resource.instanceDetails;
  return event;
}

/** quarantine-object's fixture, naming the seeded bucket's object (the bucket is not versioned: no version id). */
function objectEvent(seed: SeededAccount): Json {
  const bucket = workloadsOf(seed).bucket;
  const event = fixtureIn(seed, 'quarantine-object/malicious-file.event.json', 'b0c0ffee000000000000000000000002');
  const details = ((event.detail as Json).resource.s3BucketDetails as Json[])[0]!;
  Object.assign(details, {
    name: bucket.name,
    arn: `arn:aws:s3:::${bucket.name}`,
    s3ObjectDetails: [{ key: bucket.objectKey, objectArn: `arn:aws:s3:::${bucket.name}/${bucket.objectKey}` }],
  });
  return event;
}

/** Another account the infected snapshot is shared with (and everyone): what quarantine-image takes away. */
const SHARED_WITH = '210987654321';

/**
 * quarantine-image's target, which the seeded account does not hold: a snapshot of the seeded instance's root
 * volume, shared with another account and with everyone.
 */
async function seedInfectedSnapshot(ec2: EC2Client, seed: SeededAccount): Promise<string> {
  const volumeId = seed.instanceA.volumeIds[0];
  if (!volumeId) throw new Error('the seeded instance has no volume to snapshot');
  const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'nightly backup (bench: infected)' }));
  if (!SnapshotId) throw new Error('CreateSnapshot answered no snapshot id');
  await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [SHARED_WITH], GroupNames: ['all'] }));
  return SnapshotId;
}

/** quarantine-image's fixture, naming the seeded infected snapshot. */
function snapshotEvent(seed: SeededAccount, snapshotId: string): Json {
  const event = fixtureIn(seed, 'quarantine-image/infected-snapshot.event.json', 'b0c0ffee000000000000000000000003');
  (event.detail as Json).resource.ebsSnapshotDetails = { snapshotArn: `arn:aws:ec2:${seed.region}::snapshot/${snapshotId}` };
  return event;
}

/**
 * contain-eks's target, which the seeded account does not hold: a node of the fixture's cluster (an instance tagged
 * eks:cluster-name, as a managed node group's are; contain-eks calls no EKS API: the node is read and contained in EC2).
 */
async function eksNodeEvent(ec2: EC2Client, seed: SeededAccount): Promise<Json> {
  const event = fixtureIn(seed, 'contain-eks/eks-runtime-node.event.json', 'b0c0ffee000000000000000000000004');
  const resource = (event.detail as Json).resource as Json;
  const node = await launchInstance(ec2, seed.network, { name: 'eks-node-bench', tags: { 'eks:cluster-name': String((resource.eksClusterDetails as Json).name) } });
  resource.instanceDetails = { ...(resource.instanceDetails as Json), instanceId: node.instanceId, networkInterfaces: [] };
  return event;
}

/** The findings of every playbook with a target in the seeded account; the infected snapshot and the EKS node are made here (in `ec2`'s emulator). */
export async function seededTargetEvents(seed: SeededAccount, ec2: EC2Client): Promise<Record<SeededTargetPlaybook, Json>> {
  const demo = demoFindings(seed);
  const byPrefix = (prefix: string): Json => {
    const found = demo.find((f) => f.file.startsWith(prefix));
    if (!found) throw new Error(`no demo finding ${prefix}*`);
    return found.event as Json;
  };
  return {
    'contain-instance': byPrefix(DEMO_FINDING_OF['contain-instance']),
    'revoke-credentials': byPrefix(DEMO_FINDING_OF['revoke-credentials']),
    'block-public-access': byPrefix(DEMO_FINDING_OF['block-public-access']),
    'contain-function': byPrefix(DEMO_FINDING_OF['contain-function']),
    'contain-database': byPrefix(DEMO_FINDING_OF['contain-database']),
    'contain-task': taskEvent(seed),
    'quarantine-object': objectEvent(seed),
    'quarantine-image': snapshotEvent(seed, await seedInfectedSnapshot(ec2, seed)),
    'contain-eks': await eksNodeEvent(ec2, seed),
  };
}
