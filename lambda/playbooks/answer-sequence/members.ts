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
 * The playbooks that can answer one resource of an attack sequence: those the
 * routing table picks for the resource types a sequence's resources are seen
 * as (SEQUENCE_VIEW_RESOURCE_TYPES: instances, keys and principals, buckets,
 * objects, ECS and EKS clusters, functions, databases, snapshots and AMIs).
 * A test holds this to the table, so a playbook added for one of those types
 * is added here too, one line. Its step kinds become answer-sequence's, and
 * so do its role's actions and its Lambda's clients; the role holds them in
 * customer managed policies (lib/iam/playbook-role.ts), as their union is
 * past IAM's limit for a role's inline policies.
 */
export const SEQUENCE_MEMBERS: Partial<Readonly<Record<PlaybookName, AnyPlaybook>>> = {
  'contain-instance': containInstancePlaybook,
  'revoke-credentials': revokeCredentialsPlaybook,
  'contain-function': containFunctionPlaybook,
  'block-public-access': blockPublicAccessPlaybook,
  'contain-task': containTaskPlaybook,
  'contain-eks': containEksPlaybook,
  'quarantine-object': quarantineObjectPlaybook,
  'contain-database': containDatabasePlaybook,
  'quarantine-image': quarantineImagePlaybook,
};

export function memberOf(name: PlaybookName): AnyPlaybook | undefined {
  return Object.prototype.hasOwnProperty.call(SEQUENCE_MEMBERS, name) ? SEQUENCE_MEMBERS[name] : undefined;
}
