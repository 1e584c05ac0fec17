import type { ResponderIdentity } from '../lambda/playbooks/types';
import { responderRoleNames } from '../lib/naming';
import type { Deployment } from './config';

/**
 * Who `ir` must never act on: the deployment's own playbook roles (in every
 * configured region, or in the regions of the findings at hand when the
 * configuration lists none), plus any --protected-role. Without this, a
 * break-glass `ir respond --execute` on a finding that names a responder
 * role would revoke the responder's own sessions.
 */
export function operatorResponder(deployment: Deployment, findingRegions: readonly string[], extraRoleNames: readonly string[] = []): ResponderIdentity {
  const regions = deployment.config.regions.length > 0 ? deployment.config.regions : findingRegions;
  return { protectedRoleNames: [...new Set([...responderRoleNames(deployment.stackName, [...new Set(regions)]), ...extraRoleNames])] };
}
