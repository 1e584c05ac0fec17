import type { PlannedStep } from '../../plan/types';
import type { FirstSteps, PlanningInput, PlaybookPlan } from '../types';
import { instanceCredentialDecision } from './credential-policy';
import type { EarlyMoveFacts } from './early/early-move';
import type { ReadMoveFacts } from './early/read-moves';
import { known, type InstanceFacts, type IsolationFacts, type NetworkInterfaceFacts, type ResponderSecurityGroup } from './facts';
import { resourceSummary } from './resource-summary';
import { STAGE } from './stages';
import { planAutoScalingDetach } from './steps/auto-scaling';
import { earlyMoveSteps, earlyUntrackStep, readMoveSteps } from './steps/early-isolate';
import { planCredentials } from './steps/credentials';
import { noteMoved } from './early/group-memory';
import { planNetworkInterfaceMoves } from './steps/isolate';
import { planOriginalGroupsRecord } from './steps/original-groups';
import { planPreserve } from './steps/preserve';
import { RECORD_CONTAINMENT_ID, RECORD_NETWORK_ID, restoreRecordStep, type RestoreTarget } from './steps/restore-record';
import { planVpcSecurityGroups, type VpcGroupsPlan } from './steps/security-groups';
import { planSnapshot } from './steps/snapshot';
import { planInstanceTags } from './steps/tag';
import { planTargetGroupDeregistration } from './steps/target-groups';
import { instanceVerdict } from './verdict';
import { OFFLINE_WARNING, TRACKED_FLOWS_WARNING } from './warnings';
import { REVOKE_POLICY_NAME, REVOKE_ROLE_SESSIONS } from '../../iam/revoke-sessions';

/*
 * Cut the network first, then preserve the evidence and take the instance
 * out of service. Each part is planned by its own module; this one puts
 * them in stage order and collects what they could not do. The isolation
 * part depends on the isolation facts alone, so it can be planned (and run)
 * before the other reads are in: planFirstSteps gives exactly the steps
 * this plan begins with.
 */
export function planContainInstance(input: PlanningInput<InstanceFacts>): PlaybookPlan {
  const { facts, finding, config, incidentId, now, responder } = input;
  const decision = instanceCredentialDecision(finding.type, config.revokeInstanceCredentials);
  const resource = resourceSummary(facts, decision);
  const target: RestoreTarget = { accountId: finding.accountId ?? null, region: finding.region ?? null, incidentId, findingId: finding.id };
  const first = planIsolationPart(facts, target);
  if (!first.instanceId) return { steps: first.steps, warnings: [], verdicts: first.verdicts, resourceTags: first.resourceTags, resource };
  const instanceId = first.instanceId;
  const warnings: string[] = [...first.warnings];

  const preserve = planPreserve(instanceId, facts.volumes);
  const snapshot = planSnapshot({ instanceId, finding, incidentId, existing: facts.evidenceSnapshots, volumes: facts.volumes });
  const credentials = planCredentials({
    instanceId,
    decision,
    profile: facts.instanceProfile,
    ...(facts.removedProfileUnread ? { removedProfileUnread: facts.removedProfileUnread } : {}),
    associationId: facts.profileAssociationId,
    accountId: finding.accountId ?? null,
    protection: { responderRoleNames: responder.protectedRoleNames, protectedPrincipals: config.credentials.protectedPrincipals },
    issuedBefore: now,
  });
  const autoScaling = planAutoScalingDetach(instanceId, facts.autoScaling);
  const targetGroups = planTargetGroupDeregistration(instanceId, facts.targetGroups, facts.unreadTargetGroups);
  warnings.push(...preserve.warnings, ...snapshot.warnings, ...credentials.warnings, ...autoScaling.warnings, ...targetGroups.warnings);

  const rest = [
    containmentRecord(facts, instanceId, target, revokedRoleOf(credentials.steps)),
    ...preserve.steps,
    snapshot.step,
    ...credentials.steps,
    ...autoScaling.steps,
    ...targetGroups.steps,
    planInstanceTags({ instanceId, finding, incidentId, now, currentTags: facts.tags }),
  ];
  return { steps: [...first.steps, ...inStageOrder(requireRecord(rest, RECORD_CONTAINMENT_ID))], warnings, verdicts: [], resourceTags: facts.tags, resource };
}

/** The isolation steps, in stage order, from the isolation facts alone: what runs before the other reads are in. */
export function planFirstSteps(facts: IsolationFacts, target: RestoreTarget): FirstSteps {
  const { steps, verdicts, resourceTags } = planIsolationPart(facts, target);
  return { steps, verdicts, resourceTags };
}

/**
 * Every change requires the restore record written before it: a record that
 * could not be written stops them all. Not a step that only undoes a failed
 * change (an ENI returned to its groups): that one never waits for anything.
 */
function requireRecord(steps: readonly PlannedStep[], recordId: string): PlannedStep[] {
  return steps.map((step) => (step.mutating && step.compensates === undefined && step.id !== recordId ? { ...step, requires: [...new Set([recordId, ...step.requires])] } : step));
}

/** The instance role whose sessions the plan revokes, if it does. */
function revokedRoleOf(steps: readonly PlannedStep[]): string | null {
  return steps.find((step) => step.kind === REVOKE_ROLE_SESSIONS.kind)?.target ?? null;
}

/**
 * The document contain-instance does not read (its release leaves the revocation in place): the record says only that
 * this incident revoked the role's sessions, which keeps a release of another resource sharing the role (a function, a
 * key's user) from taking AWSRevokeOlderSessions away while this incident is open (lambda/ledger/open-revocations.ts).
 */
const REVOCATION_KEPT = `<${REVOKE_POLICY_NAME} written by contain-instance: kept while this incident is open>`;

/** The originals the containment stage changes: read once every read is in, recorded before that stage. */
function containmentRecord(facts: InstanceFacts, instanceId: string, target: RestoreTarget, revokedRole: string | null): PlannedStep {
  const asg = facts.autoScaling.known ? facts.autoScaling.value : null;
  const record = {
    // A profile removed earlier is already in the record (that is where it was read from).
    ...(facts.instanceProfile && !facts.instanceProfile.removedEarlier ? { instanceProfileArn: facts.instanceProfile.arn } : {}),
    ...(asg && !LEAVING_GROUP.test(asg.lifecycleState) ? { autoScalingGroup: asg.groupName } : {}),
    ...(facts.targetGroups.known ? { targetGroups: facts.targetGroups.value.map((g) => ({ targetGroupArn: g.targetGroupArn, ports: [...g.ports] })) } : {}),
    ...(facts.terminationProtection?.known ? { terminationProtection: facts.terminationProtection.value } : {}),
    ...(revokedRole ? { sessionPolicies: [{ principal: { kind: 'role' as const, name: revokedRole }, previousDocument: REVOCATION_KEPT }] } : {}),
  };
  return restoreRecordStep({
    id: RECORD_CONTAINMENT_ID,
    title: `Record the instance profile, Auto Scaling group, target groups and termination protection of ${instanceId} in the ledger`,
    instanceId,
    target,
    facts: record,
    stage: STAGE.recordContainment,
    requires: [RECORD_NETWORK_ID],
    why: 'ir release restores them from this record (never from the tags, which whoever can tag the instance can write); each is kept as first recorded',
  });
}

/** An instance already leaving its group: nothing to restore it to (auto-scaling.ts does not detach it either). */
const LEAVING_GROUP = /^(Detaching|Detached|Terminating|Terminated)/;

interface IsolationPart extends FirstSteps {
  /** null: nothing to act on (the verdicts say why). */
  readonly instanceId: string | null;
  readonly warnings: string[];
}

function planIsolationPart(facts: IsolationFacts, target: RestoreTarget): IsolationPart {
  const verdict = instanceVerdict(facts);
  // An early move that landed is reported (and undone if it must be) whatever the read found.
  const landed = facts.early?.untrack.landed ? facts.early : undefined;
  if (verdict || !facts.instanceId) {
    return { instanceId: null, steps: landed ? [earlyUntrackStep(landed)] : [], warnings: [], verdicts: verdict ? [verdict] : [], resourceTags: facts.tags };
  }
  const isolation = planIsolation(facts, facts.instanceId, target);
  const warnings = [...(facts.source === 'finding' ? [OFFLINE_WARNING] : []), ...isolation.warnings];
  // Isolation steps all come before STAGE.contain: sorted alone, they are the head of the whole plan.
  return { instanceId: facts.instanceId, steps: inStageOrder(isolation.steps), warnings, verdicts: [], resourceTags: facts.tags };
}

interface IsolationPlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

function planIsolation(facts: IsolationFacts, instanceId: string, target: RestoreTarget): IsolationPlan {
  const enis = facts.networkInterfaces.filter((e) => e.vpcId !== '');
  if (enis.length === 0) {
    return { steps: [], warnings: [`No network interface of ${instanceId} is known: the instance is NOT isolated.`] };
  }
  const groups = new Map<string, VpcGroupsPlan>();
  // Offline, nothing was read (not a failed read): the plan shows the groups as created, as for a VPC that has none.
  const found = facts.source === 'finding' ? known<readonly ResponderSecurityGroup[]>([]) : facts.responderSecurityGroups;
  for (const vpcId of new Set(enis.map((e) => e.vpcId))) groups.set(vpcId, planVpcSecurityGroups(vpcId, found));
  const groupSteps = [...groups.values()].flatMap((g) => g.steps);
  const early = earlyMovesOf(facts.early, enis) ?? readMovesOf(facts.readMoves, enis);
  // A move sent marks the instance in this container: a later delivery about it reads before any move (early/group-memory.ts).
  const { accountId, region } = target;
  const marked = accountId && region ? () => noteMoved(accountId, region, instanceId) : undefined;
  const moves = early
    ? early.steps
    : planNetworkInterfaceMoves(enis, groups, facts.tags, { ...(marked ? { beforeMove: marked } : {}), earlyMoveLanded: facts.early?.untrack.landed === true });
  // The responder's own groups, verified or not: none is ever recorded as an ENI's original group.
  const responderGroupIds = new Set([...groups.values()].flatMap((g) => [...g.responderMade]));
  // The record goes in the first isolation stage: before the first move, or with it when nothing has to be created first.
  const original = planOriginalGroupsRecord({
    instanceId,
    networkInterfaces: enis,
    tags: facts.tags,
    responderGroupIds,
    stage: Math.min(STAGE.untrack, ...groupSteps.map((s) => s.stage)),
  });
  const record = restoreRecordStep({
    id: RECORD_NETWORK_ID,
    title: `Record the security groups of each ENI and the volumes' DeleteOnTermination of ${instanceId} in the ledger`,
    instanceId,
    target,
    facts: {
      // An ENI already on the responder's groups has lost its own: whatever an earlier response recorded for it stays.
      networkInterfaces: enis.filter((e) => !e.securityGroupIds.some((g) => responderGroupIds.has(g))).map((e) => ({ networkInterfaceId: e.networkInterfaceId, groupIds: [...e.securityGroupIds] })),
      ...(facts.volumes.known ? { volumes: facts.volumes.value.map((v) => ({ deviceName: v.deviceName, volumeId: v.volumeId, deleteOnTermination: v.deleteOnTermination })) } : {}),
    },
    stage: STAGE.recordNetwork,
    why: 'before the first change: ir release restores each ENI from this record, and if it cannot be written nothing is changed',
  });
  // The early moves were sent before the record: they require nothing; their put-back holds the record's guarantee (steps/early-isolate.ts).
  const reported = facts.early?.untrack.landed && !early ? [earlyUntrackStep(facts.early)] : [];
  const refused = facts.early && !facts.early.untrack.landed ? [refusedEarlyMoveWarning(facts.early)] : [];
  return {
    steps: [record, ...reported, ...requireRecord([...groupSteps, ...(original.step ? [original.step] : []), ...(early ? [] : moves)], RECORD_NETWORK_ID), ...(early ? moves : [])],
    warnings: [...refused, ...[...groups.values()].flatMap((g) => g.warnings), ...original.warnings, TRACKED_FLOWS_WARNING],
  };
}

/**
 * The steps of an early move that went on to the isolation group: the reported untrack move, the isolation move
 * awaited, the put-back; they replace the ENI's own moves (the read showed that one ENI). null: no such move.
 */
function earlyMovesOf(early: EarlyMoveFacts | undefined, enis: readonly NetworkInterfaceFacts[]): { readonly steps: PlannedStep[] } | null {
  if (!early?.untrack.landed || !early.isolation.sent) return null;
  const { networkInterfaceId, token } = early.isolation;
  if (enis.length !== 1 || enis[0]!.networkInterfaceId !== networkInterfaceId) return null;
  return { steps: earlyMoveSteps(early, networkInterfaceId, token) };
}

/** The moves by ENI id sent as soon as the read was in (early/read-moves.ts), one set per ENI the plan moves; null: none sent. */
function readMovesOf(moves: readonly ReadMoveFacts[] | undefined, enis: readonly NetworkInterfaceFacts[]): { readonly steps: PlannedStep[] } | null {
  if (!moves || moves.length !== enis.length || !enis.every((e, i) => moves[i]!.networkInterfaceId === e.networkInterfaceId)) return null;
  return { steps: readMoveSteps(moves) };
}

/** The early move by the instance's id that EC2 refused (several ENIs, a group gone): said, since no step reports it. */
function refusedEarlyMoveWarning(early: EarlyMoveFacts): string {
  const answer = early.untrack.landed ? '' : ` (${early.untrack.code})`;
  return `The early move of ${early.instanceId} to ${early.untrackGroupId} by the instance's id was refused${answer}: each ENI was moved by the id the read returned.`;
}

/** Plan order follows the stages; within a stage, the order the parts were planned in. */
function inStageOrder(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.stage - b.step.stage || a.index - b.index).map(({ step }) => step);
}
