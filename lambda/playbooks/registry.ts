import { ASSUME_MEMBER_ROLE } from '../aws/member-role';
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

/** Every step kind a playbook's role must allow: its own, assuming the member role if it acts in accounts, and the notification every plan ends with. */
export function stepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  return [...PLAYBOOKS[name].stepSpecs, ...(actsInFindingAccount(name) ? [ASSUME_MEMBER_ROLE] : []), PUBLISH_NOTIFICATION];
}

/** The IAM actions of a playbook's role, derived from its step declarations. */
export function requiredIamActions(name: PlaybookName): IamAction[] {
  return [...new Set(stepSpecsOf(name).flatMap((spec) => spec.iamActions))].sort();
}
