import { ListDetectorsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { ResponderError } from '../aws/errors';

/*
 * The security account's GuardDuty detector, looked up with ListDetectors
 * rather than configured: its id differs per region and changes when
 * GuardDuty is disabled and enabled again, and a stale configured id would
 * block every response. Looked up once per client, that is per container,
 * account and region (home clients are kept for the container's life,
 * lambda/aws/account-access.ts), so only a container's first finding in a
 * region pays the extra call.
 */

const detectorIds = new WeakMap<GuardDutyClient, Promise<string>>();

async function lookUp(guardDuty: GuardDutyClient, region: string): Promise<string> {
  // An account has at most one detector per region: no paging.
  const { DetectorIds: ids = [] } = await guardDuty.send(new ListDetectorsCommand({}));
  if (ids.length === 0) {
    throw new ResponderError('NoDetector', `GuardDuty has no detector in ${region} in the responder's account: no finding can be confirmed there`);
  }
  if (ids.length > 1) throw new ResponderError('AmbiguousDetector', `ListDetectors answered ${ids.length} detectors in ${region}; an account has at most one`);
  return ids[0]!;
}

/** The detector id, from this client's earlier look-up when there was one. A failed look-up is not remembered. */
export function detectorIdOf(guardDuty: GuardDutyClient, region: string): Promise<string> {
  const known = detectorIds.get(guardDuty);
  if (known) return known;
  const asked = lookUp(guardDuty, region);
  detectorIds.set(guardDuty, asked);
  asked.catch(() => forgetDetector(guardDuty, asked));
  return asked;
}

/** After a GetFindings call that failed: the detector may be gone (GuardDuty disabled and enabled again); the next finding looks it up anew. */
export function forgetDetector(guardDuty: GuardDutyClient, which?: Promise<string>): void {
  if (which === undefined || detectorIds.get(guardDuty) === which) detectorIds.delete(guardDuty);
}
