import type { StepError } from '../aws/errors';
import type { RestoreRecord } from '../ledger/restore-record';
import type { PlannedStep } from '../plan/types';
import { RESTORE_PARTS, type RestorePart } from './parts';
import { isResponderGroupName, originalSgsTagKey } from '../playbooks/contain-instance/names';
import { untrusted } from '../text/untrusted';
import type { AttachedNetworkInterface, ReleaseFacts } from './facts';
import { describeProfile, hasRecord, isRecordedProfile, readContainmentRecord, recordFromLedger, tagDisagreements, type ContainmentRecord, type LedgerOnlyRecord } from './record';
import { attachToAutoScalingStep, registerTargetsStep, removeTagsStep, restoreGroupsStep, restoreProfileStep, terminationProtectionOffStep } from './steps';
import { ledgerPreservationWarning, NO_LEDGER_WARNING, PRESERVATION_KEPT_WARNING, revokePolicyWarning, SERVICE_MEMBERSHIP_WARNING, snapshotsWarning } from './warnings';

/** The ledger's restore record as `ir release` read it (lambda/ledger/restore-record.ts). */
export type LedgerRead =
  /** No ledger was given: the tags are the only record (as before the ledger held one). */
  | { readonly status: 'none' }
  /** `held`: the record's incident has changes that wait for a decision, or were denied, and none was made (held-containment.ts). */
  | { readonly status: 'read'; readonly table: string; readonly key: string; readonly record: RestoreRecord | undefined; readonly held?: string }
  | { readonly status: 'unreadable'; readonly table: string; readonly key: string; readonly error: StepError };

export interface ReleaseChoices {
  readonly ledger: LedgerRead;
  /** What to restore; every part by default. */
  readonly only: ReadonlySet<RestorePart>;
  /** With a ledger that holds no record: restore from the tags anyway (the operator says they are to be trusted). */
  readonly fromTags: boolean;
}

export const EVERY_PART: ReadonlySet<RestorePart> = new Set(RESTORE_PARTS);

export interface ReleasePlan {
  /** Why nothing is planned at all; null when the release can go ahead. */
  readonly refusal: string | null;
  readonly record: ContainmentRecord | null;
  readonly steps: PlannedStep[];
  readonly warnings: string[];
  /** Every part was chosen and planned from a record: if every step is done, the containment is undone and its record can be closed. */
  readonly completes: boolean;
}

const GONE_STATES = ['shutting-down', 'terminated'];

function refused(refusal: string, record: ContainmentRecord | null = null): ReleasePlan {
  return { refusal, record, steps: [], warnings: [], completes: false };
}

/*
 * Undo what contain-instance did, from its own record only: never guess a
 * security group. An ENI the containment moved without a record stays
 * where it is, and then the incident tags stay too, so the instance still
 * shows it is (partly) isolated.
 */
export function planRelease(facts: ReleaseFacts, choices: ReleaseChoices = { ledger: { status: 'none' }, only: EVERY_PART, fromTags: false }): ReleasePlan {
  const { instanceId, lookup } = facts;
  if (lookup.status === 'not-found') return refused(`instance ${instanceId} was not found (${lookup.detail}): nothing to release, nothing was changed`);
  if (lookup.status === 'unreadable') {
    return refused(`instance ${instanceId} could not be described (${lookup.error.code}: ${lookup.error.message}): nothing was changed`);
  }
  if (facts.state && GONE_STATES.includes(facts.state)) return refused(`instance ${instanceId} is ${facts.state}: nothing to release, nothing was changed`);
  const chosen = chooseRecord(facts, choices);
  if ('refusal' in chosen) return refused(chosen.refusal, chosen.record ?? null);
  const { record } = chosen;
  const { only } = choices;

  const network = only.has('groups') ? planNetworkInterfaces(facts, record) : { steps: [], warnings: [], unrestored: [] };
  const profile = only.has('profile') ? planProfile(facts, record) : { steps: [], warnings: [] };
  const service = record.ledger ? planFromLedgerOnly(instanceId, record.ledger, only) : { steps: [], warnings: [] };
  const restores = [...network.steps, ...profile.steps, ...service.steps];
  const warnings = [...network.warnings, ...profile.warnings, ...service.warnings];
  const steps = [...restores];
  const notChosen = RESTORE_PARTS.filter((part) => !only.has(part));
  if (notChosen.length > 0) warnings.push(`Not restored (--only): ${notChosen.join(', ')}.`);
  if (!only.has('groups')) {
    warnings.push(`The incident tags stay on ${instanceId}: its security groups were not chosen for restoring, so it is still isolated.`);
  } else if (network.unrestored.length > 0) {
    warnings.push(`The incident tags stay on ${instanceId}: ${network.unrestored.join(', ')} could not be restored from a record, so the instance is still partly isolated.`);
  } else if (record.incidentTagKeys.length > 0) {
    steps.push(removeTagsStep(instanceId, record.incidentTagKeys, restores.map((s) => s.id)));
  }
  warnings.push(snapshotsWarning(instanceId, facts.evidenceSnapshots));
  warnings.push(...(record.ledger ? [ledgerPreservationWarning(record.ledger.volumes)] : [PRESERVATION_KEPT_WARNING, SERVICE_MEMBERSHIP_WARNING]));
  // Where the record came from, and where the tags disagree with the ledger.
  warnings.push(...chosen.warnings);
  const completes = notChosen.length === 0 && network.unrestored.length === 0;
  return { refusal: null, record, steps, warnings, completes };
}

type Chosen = { readonly record: ContainmentRecord; readonly warnings: string[] } | { readonly refusal: string; readonly record?: ContainmentRecord };

/** The ledger first; the tags (which anyone who can tag the instance can write) only without a ledger, or when the operator says so. */
function chooseRecord(facts: ReleaseFacts, { ledger, fromTags }: ReleaseChoices): Chosen {
  const { instanceId } = facts;
  if (ledger.status === 'unreadable') {
    return { refusal: `the restore record ${ledger.key} could not be read from the ledger ${ledger.table} (${ledger.error.code}: ${ledger.error.message}): nothing was changed` };
  }
  if (ledger.status === 'read' && ledger.record) {
    const { record: restore } = ledger;
    if (restore.closedAt) {
      const by = restore.released ? ` by ${restore.released.by}` : '';
      return { refusal: `the restore record ${ledger.key} was released at ${restore.closedAt}${by}, and no containment was recorded since: nothing to release, nothing was changed` };
    }
    const record = recordFromLedger(restore, facts.tags);
    if (ledger.held) return { refusal: ledger.held, record };
    return { record, warnings: tagDisagreements(record, facts.tags) };
  }
  const tagged = readContainmentRecord(facts.tags);
  if (ledger.status === 'read' && !fromTags) {
    const tags = hasRecord(tagged) ? ' The instance carries a record in its tags; anyone who can tag it can write one: pass --from-tags to restore from it anyway.' : '';
    return { refusal: `the ledger ${ledger.table} holds no restore record of ${instanceId} (${ledger.key}): nothing was changed.${tags}`, record: tagged };
  }
  if (!hasRecord(tagged)) {
    return {
      refusal:
        `instance ${instanceId} carries no record of a containment (no ${originalSgsTagKey('<eni-id>')} or ir:original-instance-profile tag): ` +
        'there is nothing to restore it to, and nothing was changed',
      record: tagged,
    };
  }
  const why = ledger.status === 'none' ? NO_LEDGER_WARNING : `The ledger ${ledger.table} holds no restore record of ${instanceId}: restored from the instance's tags (--from-tags), which anyone who can tag it can write.`;
  return { record: tagged, warnings: [why] };
}

/** Auto Scaling, target groups and termination protection: only the ledger records them. */
function planFromLedgerOnly(instanceId: string, ledger: LedgerOnlyRecord, only: ReadonlySet<RestorePart>): { steps: PlannedStep[]; warnings: string[] } {
  const steps: PlannedStep[] = [];
  const warnings: string[] = [];
  if (only.has('asg') && ledger.autoScalingGroup) steps.push(attachToAutoScalingStep(instanceId, ledger.autoScalingGroup));
  if (only.has('target-groups')) steps.push(...ledger.targetGroups.map((group) => registerTargetsStep(instanceId, group)));
  if (only.has('termination-protection')) {
    if (ledger.terminationProtection === false) steps.push(terminationProtectionOffStep(instanceId));
    else if (ledger.terminationProtection === null) warnings.push(`Termination protection of ${instanceId} before the containment was not recorded: it stays on.`);
  }
  return { steps, warnings };
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
