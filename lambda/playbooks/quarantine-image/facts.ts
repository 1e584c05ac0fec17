import type { StepError } from '../../aws/errors';
import type { RecordedSharePermission } from '../../ledger/restore-record';
import type { ImageTarget } from '../../finding/image-target';

export type ImageLookup =
  | { readonly status: 'found' }
  | { readonly status: 'no-target'; readonly why: string }
  | { readonly status: 'not-found'; readonly detail: string }
  | { readonly status: 'unreadable'; readonly error: StepError }
  /** A recovery point AWS Backup holds: not read (its sharing is the vault's), or `ir plan --offline`. */
  | { readonly status: 'not-read' };

export interface QuarantineImageFacts {
  readonly target: ImageTarget;
  readonly source: 'aws' | 'finding';
  readonly lookup: ImageLookup;
  /** Whom the snapshot or image is shared with now (null: not read). */
  readonly sharing: readonly RecordedSharePermission[] | null;
  readonly tags: Readonly<Record<string, string>>;
}
