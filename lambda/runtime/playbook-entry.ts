import type { ClientClasses } from '../aws/clients';
import type { AnyPlaybook } from '../playbooks/types';

/**
 * What one playbook's Lambda code carries: the playbook and the SDK client
 * classes of the services its steps call. Each entry point
 * (lambda/handlers/) names its own, so its bundle holds nothing else; a
 * test holds the client classes to the playbook's step declarations.
 */
export interface PlaybookEntry {
  readonly playbook: AnyPlaybook;
  readonly clientClasses: ClientClasses;
}
