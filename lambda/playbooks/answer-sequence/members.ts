import type { PlaybookName } from '../../routing/playbook-names';
import { containInstancePlaybook } from '../contain-instance/playbook';
import { revokeCredentialsPlaybook } from '../revoke-credentials/playbook';
import type { AnyPlaybook } from '../types';

/**
 * The playbooks that can answer one resource of an attack sequence: every
 * acting playbook but answer-sequence itself (a test holds this to
 * ACTING_PLAYBOOKS, so a playbook added to the stack is added here too, one
 * line). Its step kinds become answer-sequence's, and so do its role's
 * actions and its Lambda's clients.
 */
export const SEQUENCE_MEMBERS: Partial<Readonly<Record<PlaybookName, AnyPlaybook>>> = {
  'contain-instance': containInstancePlaybook,
  'revoke-credentials': revokeCredentialsPlaybook,
};

export function memberOf(name: PlaybookName): AnyPlaybook | undefined {
  return Object.prototype.hasOwnProperty.call(SEQUENCE_MEMBERS, name) ? SEQUENCE_MEMBERS[name] : undefined;
}
