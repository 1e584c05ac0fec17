import type { PlaybookName } from '../../routing/playbook-names';
import { blockPublicAccessPlaybook } from '../block-public-access/playbook';
import { containDatabasePlaybook } from '../contain-database/playbook';
import { containEksPlaybook } from '../contain-eks/playbook';
import { containFunctionPlaybook } from '../contain-function/playbook';
import { containInstancePlaybook } from '../contain-instance/playbook';
import { containTaskPlaybook } from '../contain-task/playbook';
import { quarantineImagePlaybook } from '../quarantine-image/playbook';
import { quarantineObjectPlaybook } from '../quarantine-object/playbook';
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
  'contain-function': containFunctionPlaybook,
  'block-public-access': blockPublicAccessPlaybook,
  'quarantine-object': quarantineObjectPlaybook,
  'contain-task': containTaskPlaybook,
  'contain-eks': containEksPlaybook,
  'contain-database': containDatabasePlaybook,
  'quarantine-image': quarantineImagePlaybook,
};

export function memberOf(name: PlaybookName): AnyPlaybook | undefined {
  return Object.prototype.hasOwnProperty.call(SEQUENCE_MEMBERS, name) ? SEQUENCE_MEMBERS[name] : undefined;
}
