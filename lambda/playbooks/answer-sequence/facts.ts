import type { PlaybookName } from '../../routing/playbook-names';

/** What the answering playbook of one resource read, keyed by the resource's ref. */
export type ResourceFacts =
  | { readonly ref: string; readonly playbook: PlaybookName; readonly read: 'ok'; readonly facts: unknown }
  | { readonly ref: string; readonly playbook: PlaybookName; readonly read: 'failed'; readonly error: string };

export interface SequenceFacts {
  readonly resources: readonly ResourceFacts[];
}
