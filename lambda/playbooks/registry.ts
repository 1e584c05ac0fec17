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

/** Every step kind a playbook's role must allow: its own, plus the notification every plan ends with. */
export function stepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  return [...PLAYBOOKS[name].stepSpecs, PUBLISH_NOTIFICATION];
}

/** The IAM actions of a playbook's role, derived from its step declarations. */
export function requiredIamActions(name: PlaybookName): IamAction[] {
  return [...new Set(stepSpecsOf(name).flatMap((spec) => spec.iamActions))].sort();
}
