import type { IamAction } from '../../lambda/plan/types';
import { actsInFindingAccount, PLAYBOOKS } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';

/**
 * What the member role allows: the union of the actions the playbooks'
 * own steps declare (reads included). Not the notification (sns, kms) nor
 * the AssumeRole that got the playbook here: those stay in the security account.
 */
export function memberRoleActions(): IamAction[] {
  const actions = PLAYBOOK_NAMES.filter(actsInFindingAccount).flatMap((name) => PLAYBOOKS[name].stepSpecs.flatMap((spec) => spec.iamActions));
  return [...new Set(actions)].sort();
}
