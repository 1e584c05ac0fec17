import { ListDetectorsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { ResponderError, type StepError } from '../aws/errors';

/*
 * Which GuardDuty detector of the security account to ask, in one place for
 * the confirmation (confirmation.ts) and the archive (lambda/close-loop/archiver.ts).
 *
 * The configured one of the finding's region (guardDuty.detectorIds, or
 * guardDuty.detectorId for the stack's own region): a container's first
 * finding then asks GetFindings at once, without the ListDetectors round trip
 * before it. Anywhere else, or with none configured, the one ListDetectors
 * names, looked up once per client, that is per container, account and
 * region (home clients are kept for the container's life,
 * lambda/aws/account-access.ts), so only a container's first finding in a
 * region pays the extra call.
 *
 * A configured id goes stale when GuardDuty is disabled and enabled again (the
 * new detector has a new id); a stale id must not block every response. A
 * refusal of it (staleDetectorRefusal below) sends the caller to ListDetectors,
 * and when that names another detector, the configured id is remembered as
 * stale for the client: its later findings go straight to the detector
 * ListDetectors named.
 */

/** A configured detector id and the region it is the detector of. */
export interface ConfiguredDetector {
  readonly id: string;
  readonly region: string;
}

/** The configuration's detector ids (lambda/config/schema.ts guardDuty). */
export interface ConfiguredDetectorIds {
  /** The stack's region's (the Lambda's AWS_REGION). */
  readonly detectorId?: string | undefined;
  /** Per region, for a configuration deployed to several. */
  readonly detectorIds?: Readonly<Record<string, string>> | undefined;
}

/**
 * The configured detector of `region`: its entry in guardDuty.detectorIds, else guardDuty.detectorId when `region`
 * is the stack's; absent: that region looks its detector up.
 */
export function configuredDetector(configured: ConfiguredDetectorIds, stackRegion: string | undefined, region: string | undefined): ConfiguredDetector | undefined {
  if (region === undefined) return undefined;
  const listed = configured.detectorIds?.[region];
  if (listed !== undefined) return { id: listed, region };
  return configured.detectorId !== undefined && stackRegion === region ? { id: configured.detectorId, region } : undefined;
}

/**
 * The detector to ask first in a region: the configured one, or a look-up
 * (ListDetectors, cached per client), which says when this client found the
 * configured id stale on an earlier finding, so that every report says so
 * until someone updates the configuration.
 */
export type FirstDetector =
  | { readonly source: 'configured'; readonly id: string }
  | { readonly source: 'ListDetectors'; readonly staleConfigured: string | undefined };

const detectorIds = new WeakMap<GuardDutyClient, Promise<string>>();
/** The configured id each client found stale (GuardDuty refused it and ListDetectors named another detector). */
const staleConfiguredIds = new WeakMap<GuardDutyClient, string>();

export function firstDetector(guardDuty: GuardDutyClient, region: string, configured: ConfiguredDetector | undefined): FirstDetector {
  if (!configured || configured.region !== region) return { source: 'ListDetectors', staleConfigured: undefined };
  if (staleConfiguredIds.get(guardDuty) === configured.id) return { source: 'ListDetectors', staleConfigured: configured.id };
  return { source: 'configured', id: configured.id };
}

/**
 * Whether GuardDuty's refusal of a call naming the configured detector may
 * mean the id is stale, so that asking ListDetectors is worth a round trip.
 * GuardDuty answers a detector id that is not (or no longer) the account's
 * with BadRequestException ("the input detectorId is not owned by the current
 * account"), a lasting 400 that no retry cures. Nothing else qualifies:
 * AccessDenied is the responder's permissions (or an SCP) refusing the call,
 * which another detector id does not change, and hiding it behind a second
 * call would make a deliberate deny look like a stale setting: it stays a
 * failure, closed. Throttling and 5xx say nothing about the id: they stay
 * failures, retried with the invocation. A BadRequestException for another
 * reason costs one ListDetectors: when that names the configured id itself,
 * the refusal stands and the id is not marked stale.
 */
export function staleDetectorRefusal(error: StepError): boolean {
  return error.code === 'BadRequestException' && !error.retryable;
}

/** After ListDetectors named another detector than the configured one: this client no longer asks the configured id. */
export function markConfiguredStale(guardDuty: GuardDutyClient, configuredId: string): void {
  staleConfiguredIds.set(guardDuty, configuredId);
}

/** What a report says of a configured id found stale: a person's next step. */
export function staleConfiguredNote(configuredId: string, region: string, foundId: string | undefined, refusal?: string): string {
  const refused = refusal ? `GuardDuty refused it (${refusal})` : 'found on an earlier finding';
  const found = foundId ? ` and ListDetectors names detector ${foundId}` : '';
  return (
    `the configured detector id ${configuredId} is stale in ${region} (${refused}${found}; GuardDuty was disabled and enabled again?): ` +
    `set ${region}'s detector id in the configuration (guardDuty.detectorIds, or guardDuty.detectorId for the stack's own region) to ${foundId ?? 'the id ListDetectors names'}, or remove it (every container's first finding then looks the detector up)`
  );
}

async function lookUp(guardDuty: GuardDutyClient, region: string): Promise<string> {
  // An account has at most one detector per region: no paging.
  const { DetectorIds: ids = [] } = await guardDuty.send(new ListDetectorsCommand({}));
  if (ids.length === 0) {
    throw new ResponderError('NoDetector', `GuardDuty has no detector in ${region} in the responder's account: no finding can be confirmed there`);
  }
  if (ids.length > 1) throw new ResponderError('AmbiguousDetector', `ListDetectors answered ${ids.length} detectors in ${region}; an account has at most one`);
  return ids[0]!;
}

/** The detector id ListDetectors names, from this client's earlier look-up when there was one. A failed look-up is not remembered. */
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
