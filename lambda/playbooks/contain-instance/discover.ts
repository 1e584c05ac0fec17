import type { AwsClients } from '../../aws/clients';
import { findingInstanceTags, instanceIdOf } from '../../finding/accessors';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import type { DiscoveryContext } from '../types';
import { continueEarlyMove, earlyMoveTarget, rememberVerifiedGroups, startEarlyMove } from './early/early-move';
import { startReadMoves } from './early/read-moves';
import { instanceVerdict } from './verdict';
import { readAutoScalingMembership } from './discovery/read-auto-scaling';
import { networkInterfacesOf, readInstance, tagsOf, volumesOf, type InstanceRead } from './discovery/read-instance';
import { readInstanceProfile, readProfileAssociation } from './discovery/read-instance-profile';
import { readRemovedProfile } from './discovery/read-removed-profile';
import { readResponderSecurityGroups } from './discovery/read-security-groups';
import { readEvidenceSnapshots } from './discovery/read-snapshots';
import { readTargetGroupMemberships } from './discovery/read-target-groups';
import { readTerminationProtection } from './discovery/read-termination-protection';
import { known, unknown, type InstanceFacts, type InstanceLookup, type InstanceProfileFacts, type IsolationFacts, type Known, type ResponderSecurityGroup } from './facts';

export interface InstanceDiscovery {
  /** What isolation needs: settles after one round trip (DescribeInstances and DescribeSecurityGroups, in parallel). */
  readonly first: Promise<IsolationFacts>;
  readonly all: Promise<InstanceFacts>;
}

/*
 * Isolation needs only the instance and the responder's groups (found by
 * tag, without knowing the VPC): those two reads start at once, and
 * isolation can start after one round trip. The Auto Scaling, target group,
 * profile, snapshot and termination-protection reads are only awaited for the
 * rest of the plan: when the response may move before it reads (the early
 * move, the moves by ENI id), they are held until the isolation moves are
 * sent (lambda/respond/isolation-first.ts), else they start at once too. The
 * instance-profile reads also wait for DescribeInstances to name the profile
 * (or, when none is attached, for the restore record to name one an earlier
 * response removed). Nothing read later depends on what isolation changes.
 */
export function discoverInstanceInParts(finding: Finding, clients: AwsClients, reads: ReadLog, context: DiscoveryContext = {}): InstanceDiscovery {
  const instanceId = instanceIdOf(finding);
  if (!instanceId) {
    // Nothing is moved without an instance: the held reads (the account's alias) may go (on the event loop's next turn).
    context.earlyMove?.isolationSent();
    const facts = unreadInstanceFacts(finding, null, { status: 'missing-id' });
    return { first: Promise.resolve(facts), all: Promise.resolve(facts) };
  }
  // Sent first, before any read, when this container remembers the VPC's groups (early/early-move.ts).
  const target = context.earlyMove ? earlyMoveTarget(finding, context.earlyMove.respondingAt) : undefined;
  const early = target && !('why' in target) ? startEarlyMove(target, clients) : undefined;
  const instanceRead = readInstance(clients, reads, instanceId);
  const responderGroups = readResponderSecurityGroups(clients, reads);
  // The reads isolation does not wait for go out once its moves are sent (lambda/respond/isolation-first.ts).
  const afterIsolation = context.earlyMove?.afterIsolationSent ?? Promise.resolve();
  const profileChain = Promise.all([instanceRead, afterIsolation]).then(async ([read]): Promise<ProfileRead> => {
    const profileArn = read.instance?.IamInstanceProfile?.Arn;
    if (profileArn) return { profile: await readInstanceProfile(clients, reads, instanceId, profileArn) };
    return read.instance ? removedProfileOf(finding, instanceId, clients, reads, context) : { profile: null };
  });
  const later = afterIsolation.then(() =>
    Promise.all([
      profileChain,
      readAutoScalingMembership(clients, reads, instanceId),
      readTargetGroupMemberships(clients, reads, instanceId),
      readEvidenceSnapshots(clients, reads, finding.id),
      readProfileAssociation(clients, reads, instanceId),
      readTerminationProtection(clients, reads, instanceId),
    ]),
  );
  const first = Promise.all([instanceRead, responderGroups]).then(async ([read, groups]) => {
    // The early move goes on (or is undone) as soon as the reads are in; then the groups found are remembered for the next response.
    const facts = isolationFactsOf(finding, instanceId, read, groups);
    // No further move once a check already says stop: GuardDuty's answer (beside these reads) or a guard on the instance's own tags.
    const go = context.earlyMove ? context.earlyMove.mayContinue(facts.tags).catch(() => false) : Promise.resolve(false);
    const earlyFacts = early ? await continueEarlyMove(early, read, groups, clients, go) : undefined;
    rememberVerifiedGroups(finding.accountId, finding.region, groups);
    // No early move went on (none remembered, or refused: several ENIs): every ENI moved by the id the read gave, beside the other checks.
    const readMoves =
      context.earlyMove && !earlyFacts?.untrack.landed && !instanceVerdict(facts) && (await go) && (await context.earlyMove.mayMoveByReadId())
        ? startReadMoves(facts, clients, finding.accountId, finding.region)
        : undefined;
    // The early move's isolation move is sent by now (or it was undone); the moves by ENI id, once each untrack move is answered.
    void (readMoves?.isolationSent ?? Promise.resolve()).then(() => context.earlyMove?.isolationSent());
    // A move just sent is on the wire only once the SDK's chain of promises has run: the first steps are planned after
    // that, not interleaved with it (planning them takes a few milliseconds a move would otherwise wait).
    if (earlyFacts?.isolation.sent || readMoves) await new Promise<void>((resolve) => setImmediate(resolve));
    return { ...facts, ...(earlyFacts ? { early: earlyFacts } : {}), ...(readMoves ? { readMoves: readMoves.moves } : {}) };
  });
  // Whatever happened above, the held reads are let go: `all` waits for them.
  first.catch(() => context.earlyMove?.isolationSent());
  const all = Promise.all([first, instanceRead, later]).then(([isolation, read, [profileRead, autoScaling, targetGroups, evidenceSnapshots, association, terminationProtection]]) => {
    if (!read.instance) return { ...unreadInstanceFacts(finding, instanceId, read.lookup), ...(isolation.early ? { early: isolation.early } : {}) };
    // isolation carries the early moves' facts (early, readMoves): the whole plan begins with the same steps.
    return {
      ...isolation,
      instanceProfile: profileRead.profile,
      ...(profileRead.unread ? { removedProfileUnread: profileRead.unread } : {}),
      profileAssociationId: association.known ? known(association.value?.associationId ?? null) : association,
      autoScaling,
      targetGroups: targetGroups.known ? known(targetGroups.value.memberships) : targetGroups,
      unreadTargetGroups: targetGroups.known ? targetGroups.value.unreadable : [],
      evidenceSnapshots,
      terminationProtection,
    };
  });
  return { first, all };
}

export function discoverInstance(finding: Finding, clients: AwsClients, reads: ReadLog, context: DiscoveryContext = {}): Promise<InstanceFacts> {
  return discoverInstanceInParts(finding, clients, reads, context).all;
}

interface ProfileRead {
  readonly profile: InstanceProfileFacts | null;
  /** Why the restore record could not be read (no profile attached). */
  readonly unread?: string;
}

/** No profile attached: the one an earlier response removed, from the ledger's restore record, read like an attached one. */
async function removedProfileOf(finding: Finding, instanceId: string, clients: AwsClients, reads: ReadLog, context: DiscoveryContext): Promise<ProfileRead> {
  const { accountId, region } = finding;
  // No ledger (ir plan, a stack without one) or no record key: nothing was recorded to read back.
  if (!context.restoreLedger || !accountId || !region) return { profile: null };
  const removed = await readRemovedProfile(context.restoreLedger, reads, { accountId, region, instanceId });
  if (!removed.known) return { profile: null, unread: removed.why };
  if (!removed.value) return { profile: null };
  const profile = await readInstanceProfile(clients, reads, instanceId, removed.value.profileArn);
  return { profile: { ...profile, removedEarlier: { restoreRecord: removed.value.restoreRecord } } };
}

function isolationFactsOf(finding: Finding, instanceId: string, read: InstanceRead, responderSecurityGroups: Known<readonly ResponderSecurityGroup[]>): IsolationFacts {
  if (!read.instance) return unreadInstanceFacts(finding, instanceId, read.lookup);
  return {
    source: 'aws',
    instanceId,
    lookup: read.lookup,
    state: read.instance.State?.Name ?? null,
    networkInterfaces: networkInterfacesOf(read.instance),
    volumes: volumesOf(read.instance),
    tags: tagsOf(read.instance),
    responderSecurityGroups,
  };
}

/** No instance to act on: the plan only reports why. Tags fall back to the finding's for the exempt-tag guard. */
function unreadInstanceFacts(finding: Finding, instanceId: string | null, lookup: InstanceLookup): InstanceFacts {
  const why = 'the instance was not read';
  return {
    source: 'aws',
    instanceId,
    lookup,
    state: null,
    networkInterfaces: [],
    volumes: unknown(why),
    tags: findingInstanceTags(finding),
    instanceProfile: null,
    profileAssociationId: unknown(why),
    responderSecurityGroups: unknown(why),
    autoScaling: unknown(why),
    targetGroups: unknown(why),
    unreadTargetGroups: [],
    evidenceSnapshots: unknown(why),
  };
}
