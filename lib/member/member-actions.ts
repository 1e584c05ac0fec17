import type { IamAction, StepSpec } from '../../lambda/plan/types';
import { actsInFindingAccount, findingAccountStepSpecsOf } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';

/**
 * The step kinds the member role serves: those the playbooks call in the
 * finding's account, their own steps (reads included) and their evidence
 * reads (the console output). Not the notification (sns, kms), the evidence
 * writes (s3, kms), nor the AssumeRole that got the playbook here: those
 * stay in the security account.
 */
export function memberRoleStepSpecs(): StepSpec[] {
  return PLAYBOOK_NAMES.filter(actsInFindingAccount).flatMap((name) => [...findingAccountStepSpecsOf(name)]);
}

/** What the member role allows: the union of the actions of memberRoleStepSpecs. */
export function memberRoleActions(): IamAction[] {
  return [...new Set(memberRoleStepSpecs().flatMap((spec) => spec.iamActions))].sort();
}
