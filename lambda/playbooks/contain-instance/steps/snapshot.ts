import type { Finding } from '../../../finding/schema';
import { planStep, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { Known, VolumeFacts } from '../facts';
import { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, SOURCE_INSTANCE_TAG } from '../names';
import { SNAPSHOT_VOLUMES } from '../specs';
import { STAGE } from '../stages';
import { createSnapshotsOnce } from './snapshot-once';

export interface SnapshotInput {
  readonly instanceId: string;
  readonly finding: Finding;
  readonly incidentId: string;
  readonly existing: Known<readonly string[]>;
  readonly volumes: Known<readonly VolumeFacts[]>;
}

export interface SnapshotPlan {
  readonly step: PlannedStep;
  readonly warnings: string[];
}

/*
 * One CreateSnapshots call for every attached volume, boot volume included:
 * the snapshots are crash-consistent with each other. They are tagged
 * explicitly (not CopyTagsFromSource) so that a second delivery of the same
 * finding finds them and takes no second set, and so that a request whose
 * answer was lost is found by them before another is sent (snapshot-once.ts).
 */
export function planSnapshot(input: SnapshotInput): SnapshotPlan {
  const { instanceId, finding, incidentId, existing, volumes } = input;
  const parameters = {
    InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
    Description: `GuardDuty IR ${incidentId}: evidence of ${instanceId}`,
    TagSpecifications: [
      {
        ResourceType: 'snapshot' as const,
        Tags: [
          { Key: FINDING_ID_TAG, Value: finding.id },
          { Key: FINDING_TYPE_TAG, Value: finding.type },
          { Key: INCIDENT_ID_TAG, Value: incidentId },
          { Key: SOURCE_INSTANCE_TAG, Value: instanceId },
        ],
      },
    ],
  };
  const taken = existing.known && existing.value.length > 0 ? existing.value : null;
  const noVolume = volumes.known && volumes.value.length === 0;
  const skipReason = taken ? `snapshots for this finding already exist (${taken.join(', ')})` : noVolume ? 'no EBS volume is attached' : null;
  const warnings = existing.known
    ? []
    : [`Whether this finding's snapshots already exist is ${existing.why}: they are taken (again, if a delivery before took them).`];
  const step = planStep(SNAPSHOT_VOLUMES, {
    id: 'snapshot-volumes',
    title: `Snapshot every attached volume of ${instanceId}`,
    action: 'ec2:CreateSnapshots',
    target: instanceId,
    parameters,
    why: skipReason ? `${skipReason}: skipped${taken ? ', one set per finding' : ''}` : 'the disks as they are now, before anyone touches the instance',
    stage: STAGE.contain,
    run: async (ctx): Promise<StepRunResult> => {
      if (skipReason) return { status: 'skipped', reason: skipReason };
      // Sent at most once per lost answer: a set whose answer was lost is found by the incident's tags, not taken twice.
      const set = await createSnapshotsOnce(ctx.clients.ec2, { params: parameters, incidentId, instanceId, ...(ctx.timeLeftMs ? { timeLeftMs: ctx.timeLeftMs } : {}) });
      return { status: 'done', detail: set.detail, output: set.snapshotIds };
    },
  });
  return { step, warnings };
}
