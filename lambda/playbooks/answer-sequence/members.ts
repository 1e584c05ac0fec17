import type { PlaybookName } from '../../routing/playbook-names';
import { blockPublicAccessPlaybook } from '../block-public-access/playbook';
import { containEksPlaybook } from '../contain-eks/playbook';
import { containFunctionPlaybook } from '../contain-function/playbook';
import { containInstancePlaybook } from '../contain-instance/playbook';
import { containTaskPlaybook } from '../contain-task/playbook';
import { revokeCredentialsPlaybook } from '../revoke-credentials/playbook';
import type { AnyPlaybook } from '../types';

/**
 * The playbooks that can answer one resource of an attack sequence: those the
 * routing table picks for the resource types a sequence's resources are seen
 * as (SEQUENCE_VIEW_RESOURCE_TYPES: instances, keys and principals, buckets,
 * ECS and EKS clusters, functions). A test holds this to the table, so a
 * playbook added for one of those types is added here too, one line; one for
 * another type (a database, an image) is not, and keeps answer-sequence's role
 * from growing past IAM's inline-policy limit. Its step kinds become
 * answer-sequence's, and so do its role's actions and its Lambda's clients.
 */
export const SEQUENCE_MEMBERS: Partial<Readonly<Record<PlaybookName, AnyPlaybook>>> = {
  'contain-instance': containInstancePlaybook,
  'revoke-credentials': revokeCredentialsPlaybook,
  'contain-function': containFunctionPlaybook,
  'block-public-access': blockPublicAccessPlaybook,
  'contain-task': containTaskPlaybook,
  'contain-eks': containEksPlaybook,
};

export function memberOf(name: PlaybookName): AnyPlaybook | undefined {
  return Object.prototype.hasOwnProperty.call(SEQUENCE_MEMBERS, name) ? SEQUENCE_MEMBERS[name] : undefined;
}
