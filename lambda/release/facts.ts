import type { StepError } from '../aws/errors';
import type { Known, ProfileAssociation } from '../playbooks/contain-instance/facts';

export type { ProfileAssociation };

/* What `ir release` reads about the instance before it plans. */

export type ReleaseLookup =
  | { readonly status: 'found' }
  | { readonly status: 'not-found'; readonly detail: string }
  | { readonly status: 'unreadable'; readonly error: StepError };

export interface AttachedNetworkInterface {
  readonly networkInterfaceId: string;
  readonly groups: readonly { readonly groupId: string; readonly groupName: string }[];
}


export interface ReleaseFacts {
  readonly instanceId: string;
  readonly lookup: ReleaseLookup;
  readonly state: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /** In device order. */
  readonly networkInterfaces: readonly AttachedNetworkInterface[];
  /** The instance's current profile association; null when it has none. */
  readonly association: Known<ProfileAssociation | null>;
  /** Snapshots the containment took of the instance (tag ir:source-instance). */
  readonly evidenceSnapshots: Known<readonly string[]>;
}
