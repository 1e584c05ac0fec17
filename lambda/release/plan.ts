import type { PlannedStep } from '../plan/types';
import { isResponderGroupName, originalSgsTagKey } from '../playbooks/contain-instance/names';
import { untrusted } from '../text/untrusted';
import type { AttachedNetworkInterface, ReleaseFacts } from './facts';
import { describeProfile, hasRecord, isRecordedProfile, readContainmentRecord, type ContainmentRecord } from './record';
import { removeTagsStep, restoreGroupsStep, restoreProfileStep } from './steps';
import { PRESERVATION_KEPT_WARNING, revokePolicyWarning, SERVICE_MEMBERSHIP_WARNING, snapshotsWarning } from './warnings';

export interface ReleasePlan {
  /** Why nothing is planned at all; null when the release can go ahead. */
  readonly refusal: string | null;
  readonly record: ContainmentRecord | null;
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

const GONE_STATES = ['shutting-down', 'terminated'];

function refused(refusal: string, record: ContainmentRecord | null = null): ReleasePlan {
  return { refusal, record, steps: [], warnings: [] };
}

/*
 * Undo what contain-instance did, from its own record only: never guess a
 * security group. An ENI the containment moved without a record stays
 * where it is, and then the incident tags stay too, so the instance still
 * shows it is (partly) isolated.
 */
export function planRelease(facts: ReleaseFacts): ReleasePlan {
  const { instanceId, lookup } = facts;
  if (lookup.status === 'not-found') return refused(`instance ${instanceId} was not found (${lookup.detail}): nothing to release, nothing was changed`);
  if (lookup.status === 'unreadable') {
    return refused(`instance ${instanceId} could not be described (${lookup.error.code}: ${lookup.error.message}): nothing was changed`);
  }
  if (facts.state && GONE_STATES.includes(facts.state)) return refused(`instance ${instanceId} is ${facts.state}: nothing to release, nothing was changed`);
  const record = readContainmentRecord(facts.tags);
  if (!hasRecord(record)) {
    return refused(
      `instance ${instanceId} carries no record of a containment (no ${originalSgsTagKey('<eni-id>')} or ir:original-instance-profile tag): ` +
        'there is nothing to restore it to, and nothing was changed',
      record,
    );
  }

  const network = planNetworkInterfaces(facts, record);
  const profile = planProfile(facts, record);
  const restores = [...network.steps, ...profile.steps];
  const warnings = [...network.warnings, ...profile.warnings];
  const steps = [...restores];
  if (network.unrestored.length > 0) {
    warnings.push(`The incident tags stay on ${instanceId}: ${network.unrestored.join(', ')} could not be restored from a record, so the instance is still partly isolated.`);
  } else if (record.incidentTagKeys.length > 0) {
    steps.push(removeTagsStep(instanceId, record.incidentTagKeys, restores.map((s) => s.id)));
  }
  warnings.push(snapshotsWarning(instanceId, facts.evidenceSnapshots), PRESERVATION_KEPT_WARNING, SERVICE_MEMBERSHIP_WARNING);
  return { refusal: null, record, steps, warnings };
}

interface NetworkPlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
  /** Attached ENIs on the responder's groups with no usable record. */
  readonly unrestored: string[];
}

function planNetworkInterfaces(facts: ReleaseFacts, record: ContainmentRecord): NetworkPlan {
  const steps: PlannedStep[] = [];
  const warnings: string[] = [];
  const unrestored: string[] = [];
  const attachedIds = new Set(facts.networkInterfaces.map((e) => e.networkInterfaceId));
  for (const eni of facts.networkInterfaces) {
    const id = eni.networkInterfaceId;
    const current = eni.groups.map((g) => g.groupId);
    const recorded = record.networkInterfaces.find((r) => r.networkInterfaceId === id);
    const unusable = record.unusable.find((r) => r.networkInterfaceId === id);
    if (recorded && !isOnResponderGroups(eni)) {
      // Not isolated (a response returned it, or it was moved since): a record is only applied to an ENI the responder holds. Anyone who can tag the instance can write one.
      if (!sameGroups(recorded.groupIds, current)) {
        warnings.push(
          `${id} is on ${current.join(', ') || 'no group'}, not on the responder's groups: it is not isolated, so its record ` +
            `(${untrusted(recorded.groupIds.join(' '))}) is not applied and it stays where it is.`,
        );
      }
    } else if (recorded) {
      steps.push(restoreGroupsStep(recorded, current));
    } else if (unusable) {
      unrestored.push(id);
      warnings.push(`The record of ${id} ("${unusable.value}") is not a list of security group ids: ${id} stays on ${current.join(', ')}.`);
    } else if (isOnResponderGroups(eni)) {
      unrestored.push(id);
      warnings.push(
        `${id} has no record of its original security groups and stays on ${current.join(', ')}. ` +
          `Tag the instance with ${originalSgsTagKey(id)}=<its group ids, space-separated> and run ir release again.`,
      );
    }
  }
  for (const recorded of record.networkInterfaces) {
    if (!attachedIds.has(recorded.networkInterfaceId)) {
      warnings.push(`${recorded.networkInterfaceId} is recorded but no longer attached to ${facts.instanceId}: its groups (${recorded.groupIds.join(', ')}) are not restored.`);
    }
  }
  return { steps, warnings, unrestored };
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
}

function isOnResponderGroups(eni: AttachedNetworkInterface): boolean {
  return eni.groups.some((g) => isResponderGroupName(g.groupName));
}

function planProfile(facts: ReleaseFacts, record: ContainmentRecord): { steps: PlannedStep[]; warnings: string[] } {
  const profile = record.instanceProfile;
  if (!profile) return { steps: [], warnings: [] };
  const name = describeProfile(profile);
  const warnings = [revokePolicyWarning(name)];
  const association = facts.association;
  if (!association.known) {
    warnings.unshift(`Whether ${facts.instanceId} has an instance profile now is ${association.why}: ${name} is associated again (AWS refuses if one already is).`);
    return { steps: [restoreProfileStep(facts.instanceId, profile)], warnings };
  }
  if (!association.value) return { steps: [restoreProfileStep(facts.instanceId, profile)], warnings };
  const current = association.value.profileArn;
  if (isRecordedProfile(profile, current)) return { steps: [], warnings: [`${name} is already associated with ${facts.instanceId} again; nothing to restore.`, ...warnings] };
  return {
    steps: [],
    warnings: [`${facts.instanceId} now has instance profile ${current}, associated after the containment: the recorded ${name} is not put back.`, ...warnings],
  };
}
