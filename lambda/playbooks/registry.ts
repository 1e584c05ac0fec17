import { ASSUME_MEMBER_ROLE } from '../aws/member-role';
import { closeLoopStepSpecsOf } from '../close-loop/specs';
import { CONFIRM_STEP_SPECS } from '../confirm/specs';
import { EVIDENCE_READS } from '../evidence/sources';
import { WRITE_EVIDENCE } from '../evidence/specs';
import { BRAKE_STEP_SPECS, LEDGER_STEP_SPECS } from '../ledger/specs';
import { READ_ACCOUNT_ALIAS } from '../notify/account-alias';
import { PUBLISH_CHAT_NOTIFICATION, PUBLISH_NOTIFICATION } from '../notify/publish-step';
import type { IamAction, StepSpec } from '../plan/types';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import { answerSequencePlaybook } from './answer-sequence/playbook';
import { SEQUENCE_MEMBERS } from './answer-sequence/members';
import { containInstancePlaybook } from './contain-instance/playbook';
import { containFunctionPlaybook } from './contain-function/playbook';
import { CONTAIN_FUNCTION_LEDGER_STEP_SPECS } from './contain-function/specs';
import { containTaskPlaybook } from './contain-task/playbook';
import { containEksPlaybook } from './contain-eks/playbook';
import { CONTAIN_EKS_LEDGER_STEP_SPECS } from './contain-eks/specs';
import { CONTAIN_TASK_LEDGER_STEP_SPECS } from './contain-task/specs';
import { containDatabasePlaybook } from './contain-database/playbook';
import { CONTAIN_DATABASE_LEDGER_STEP_SPECS } from './contain-database/specs';
import { quarantineImagePlaybook } from './quarantine-image/playbook';
import { QUARANTINE_IMAGE_LEDGER_STEP_SPECS } from './quarantine-image/specs';
import { CONTAIN_INSTANCE_LEDGER_STEP_SPECS } from './contain-instance/specs';
import { REVOKE_CREDENTIALS_LEDGER_STEP_SPECS } from './revoke-credentials/specs';
import { notifyPlaybook } from './notify/playbook';
import { revokeCredentialsPlaybook } from './revoke-credentials/playbook';
import { blockPublicAccessPlaybook } from './block-public-access/playbook';
import { BLOCK_PUBLIC_ACCESS_LEDGER_STEP_SPECS } from './block-public-access/specs';
import { quarantineObjectPlaybook } from './quarantine-object/playbook';
import { QUARANTINE_OBJECT_LEDGER_STEP_SPECS } from './quarantine-object/specs';
import type { AnyPlaybook } from './types';

/** Every playbook: for `ir`, the demo, the CDK app and the tests. A Lambda bundle holds only its own (lambda/handlers/). */
export const PLAYBOOKS: Readonly<Record<PlaybookName, AnyPlaybook>> = {
  'contain-instance': containInstancePlaybook,
  'revoke-credentials': revokeCredentialsPlaybook,
  'block-public-access': blockPublicAccessPlaybook,
  'quarantine-object': quarantineObjectPlaybook,
  'contain-function': containFunctionPlaybook,
  'answer-sequence': answerSequencePlaybook,
  'contain-task': containTaskPlaybook,
  'contain-eks': containEksPlaybook,
  'contain-database': containDatabasePlaybook,
  'quarantine-image': quarantineImagePlaybook,
  notify: notifyPlaybook,
};

export { actsInFindingAccount } from '../routing/playbook-names';

/** The restore record each acting playbook writes to the ledger (security account) before its first change: the playbook role alone holds these. */
const RESTORE_RECORD_STEP_SPECS: Readonly<Record<PlaybookName, readonly StepSpec[]>> = {
  'contain-instance': CONTAIN_INSTANCE_LEDGER_STEP_SPECS,
  'revoke-credentials': REVOKE_CREDENTIALS_LEDGER_STEP_SPECS,
  'block-public-access': BLOCK_PUBLIC_ACCESS_LEDGER_STEP_SPECS,
  'quarantine-object': QUARANTINE_OBJECT_LEDGER_STEP_SPECS,
  'contain-function': CONTAIN_FUNCTION_LEDGER_STEP_SPECS,
  // The restore records of every playbook it answers a resource with (restoreRecordStepSpecsOf).
  'answer-sequence': [],
  'contain-task': CONTAIN_TASK_LEDGER_STEP_SPECS,
  'contain-eks': CONTAIN_EKS_LEDGER_STEP_SPECS,
  'contain-database': CONTAIN_DATABASE_LEDGER_STEP_SPECS,
  'quarantine-image': QUARANTINE_IMAGE_LEDGER_STEP_SPECS,
  notify: [],
};

/** A playbook's restore records; answer-sequence writes those of every playbook it answers a resource with. */
function restoreRecordStepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  if (name !== 'answer-sequence') return RESTORE_RECORD_STEP_SPECS[name];
  const members = Object.keys(SEQUENCE_MEMBERS) as PlaybookName[];
  return [...new Map(members.flatMap((member) => RESTORE_RECORD_STEP_SPECS[member]).map((spec) => [spec.kind, spec] as const)).values()];
}

/** The step kinds a playbook calls in the finding's account: its own and its evidence reads. The member role holds these. */
export function findingAccountStepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  // The account's alias, for the notification, is read where the playbook acts (lambda/notify/account-alias.ts).
  return [...PLAYBOOKS[name].stepSpecs, ...EVIDENCE_READS[name], ...(actsInFindingAccount(name) ? [READ_ACCOUNT_ALIAS] : [])];
}

/**
 * Every step kind a playbook's role must allow: those of the finding's
 * account, assuming the member role if it acts in accounts, and what the
 * responder does in the security account: confirming the finding with
 * GuardDuty if it acts, the notification, the evidence, the incident
 * ledger, the blast-radius brake if it acts, and closing the loop in
 * Security Hub (and, if it acts, GuardDuty's archive).
 */
export function stepSpecsOf(name: PlaybookName): readonly StepSpec[] {
  const acts = actsInFindingAccount(name);
  return [
    ...findingAccountStepSpecsOf(name),
    ...(acts ? [ASSUME_MEMBER_ROLE, ...CONFIRM_STEP_SPECS] : []),
    PUBLISH_NOTIFICATION,
    PUBLISH_CHAT_NOTIFICATION,
    WRITE_EVIDENCE,
    ...LEDGER_STEP_SPECS,
    ...(acts ? BRAKE_STEP_SPECS : []),
    ...restoreRecordStepSpecsOf(name),
    ...closeLoopStepSpecsOf(acts),
  ];
}

/** The IAM actions of a playbook's role, derived from its step declarations. */
export function requiredIamActions(name: PlaybookName): IamAction[] {
  return [...new Set(stepSpecsOf(name).flatMap((spec) => spec.iamActions))].sort();
}
