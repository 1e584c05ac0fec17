import { ASSUME_MEMBER_ROLE } from '../aws/member-role';
import { BRAKE_STEP_SPECS, LEDGER_STEP_SPECS } from '../ledger/specs';
import { PUBLISH_NOTIFICATION } from '../notify/publish-step';
import type { IamAction, StepSpec } from '../plan/types';
import type { PlaybookName } from '../routing/playbook-names';
import { containInstancePlaybook } from './contain-instance/playbook';
import { notifyPlaybook } from './notify/playbook';
import { revokeCredentialsPlaybook } from './revoke-credentials/playbook';
import type { AnyPlaybook } from './types';

export const PLAYBOOKS: Readonly<Record<PlaybookName, AnyPlaybook>> = {
  'contain-instance': containInstancePlaybook,
  'revoke-credentials': revokeCredentialsPlaybook,
  notify: notifyPlaybook,
};

/**
 * Whether the playbook reads or acts in the finding's account (then it
 * assumes the member role in another account). notify only reports, from
 * the security account.
 */
export function actsInFindingAccount(name: PlaybookName): boolean {
  return PLAYBOOKS[name].stepSpecs.length > 0;
}

/**
 * Every step kind a playbook's role must allow: its own, assuming the member
 * role if it acts in accounts, the notification every plan ends with, the
 * incident ledger, and the blast-radius brake if it acts.
 */
export function stepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  const acts = actsInFindingAccount(name);
  return [...PLAYBOOKS[name].stepSpecs, ...(acts ? [ASSUME_MEMBER_ROLE] : []), PUBLISH_NOTIFICATION, ...LEDGER_STEP_SPECS, ...(acts ? BRAKE_STEP_SPECS : [])];
}

/** The IAM actions of a playbook's role, derived from its step declarations. */
export function requiredIamActions(name: PlaybookName): IamAction[] {
  return [...new Set(stepSpecsOf(name).flatMap((spec) => spec.iamActions))].sort();
}
