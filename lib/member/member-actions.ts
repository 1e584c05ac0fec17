import type { IamAction } from '../../lambda/plan/types';
import { actsInFindingAccount, findingAccountStepSpecsOf } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';

/**
 * What the member role allows: the union of the actions the playbooks'
 * own steps declare (reads included) and their evidence reads (the console
 * output). Not the notification (sns, kms), the evidence writes (s3, kms),
 * nor the AssumeRole that got the playbook here: those stay in the security account.
 */
export function memberRoleActions(): IamAction[] {
  const actions = PLAYBOOK_NAMES.filter(actsInFindingAccount).flatMap((name) => findingAccountStepSpecsOf(name).flatMap((spec) => spec.iamActions));
  return [...new Set(actions)].sort();
}
