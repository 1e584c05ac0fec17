import { CreateSnapshotsCommand, DescribeSnapshotsCommand, type CreateSnapshotsCommandInput, type EC2Client } from '@aws-sdk/client-ec2';
import { atMostOnce, isOutcomeUnknown } from '../../../aws/at-most-once';
import { ResponderError } from '../../../aws/errors';
import { collectPages } from '../discovery/pages';
import { INCIDENT_ID_TAG, SOURCE_INSTANCE_TAG } from '../names';

/*
 * One snapshot set per incident, whatever the faults. CreateSnapshots takes
 * no idempotency token: a request whose answer was lost (a timeout, a reset
 * connection, a 5xx) may have created the set. So it is never re-sent
 * blindly (atMostOnce keeps the SDK from doing so); the incident's own tags,
 * which CreateSnapshots writes with the snapshots, say whether it landed:
 * found, the step is done with those snapshots; not found, it is sent again
 * while time allows. A throttled request was refused before anything was
 * created: the SDK retries it as any other call (atMostOnce lets throttling
 * through); throttled past those retries, the step fails with its code.
 */

/** CreateSnapshots requests at most, the first included. */
export const CREATE_SNAPSHOTS_ATTEMPTS = 3;

/**
 * How long to wait before looking for snapshots of a lost answer: EC2's API
 * is eventually consistent, and a set created a moment ago may not be listed
 * yet. Looked for twice, before and after this pause.
 */
export const SNAPSHOT_SETTLE_MS = 1_000;

export interface SnapshotOnceInput {
  readonly params: CreateSnapshotsCommandInput;
  readonly incidentId: string;
  readonly instanceId: string;
  /** Milliseconds left before the execution's deadline; absent: no deadline (the CLI). */
  readonly timeLeftMs?: () => number;
  readonly settleMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SnapshotSet {
  readonly snapshotIds: string[];
  /** What it took: created at once, or found by tag after an answer was lost. */
  readonly detail: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The snapshots this incident took of this instance, found by the tags CreateSnapshots writes with them. */
export async function findIncidentSnapshots(ec2: EC2Client, incidentId: string, instanceId: string): Promise<string[]> {
  const snapshots = await collectPages(
    (NextToken) =>
      ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [
            { Name: `tag:${INCIDENT_ID_TAG}`, Values: [incidentId] },
            { Name: `tag:${SOURCE_INSTANCE_TAG}`, Values: [instanceId] },
          ],
          ...(NextToken ? { NextToken } : {}),
        }),
      ),
    (page) => page.Snapshots,
    (page) => page.NextToken,
  );
  return snapshots.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])).sort();
}

/** Creates the incident's snapshot set once: a lost answer is looked for by tag before anything is sent again. */
export async function createSnapshotsOnce(ec2: EC2Client, input: SnapshotOnceInput): Promise<SnapshotSet> {
  const { incidentId, instanceId } = input;
  const sleep = input.sleep ?? defaultSleep;
  const settleMs = input.settleMs ?? SNAPSHOT_SETTLE_MS;
  const lost: string[] = [];
  for (let attempt = 1; attempt <= CREATE_SNAPSHOTS_ATTEMPTS; attempt += 1) {
    if (attempt > 1 && input.timeLeftMs && input.timeLeftMs() <= 0) break;
    try {
      const command = new CreateSnapshotsCommand(input.params);
      atMostOnce('CreateSnapshots', command.middlewareStack);
      const result = await ec2.send(command);
      const ids = (result.Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
      const after = lost.length > 0 ? ` (after ${lost.join(', ')}: no set had landed)` : '';
      return { snapshotIds: ids, detail: `${ids.length > 0 ? ids.join(', ') : 'no snapshot returned'}${after}` };
    } catch (error) {
      // Refused (throttled past the SDK's retries, AccessDenied, ...): nothing was created, nothing to look for.
      if (!isOutcomeUnknown(error)) throw error;
      lost.push(`${error.underlying.code} on request ${attempt}`);
      let found = await findIncidentSnapshots(ec2, incidentId, instanceId);
      if (found.length === 0 && settleMs > 0) {
        await sleep(settleMs);
        found = await findIncidentSnapshots(ec2, incidentId, instanceId);
      }
      if (found.length > 0) {
        return {
          snapshotIds: found,
          detail: `${found.join(', ')} (the answer to CreateSnapshots was lost, ${error.underlying.code}; the set it created was found by the incident's tags, none created again)`,
        };
      }
    }
  }
  throw new ResponderError(
    'SnapshotsNotConfirmed',
    `CreateSnapshots was not answered (${lost.join('; ')}) and no snapshot tagged ${INCIDENT_ID_TAG}=${incidentId} was found: a retry looks for them again before taking any`,
    true,
  );
}
