import { CONTAIN_FUNCTION } from '../../lambda/handlers/contain-function';
import { ANSWER_SEQUENCE } from '../../lambda/handlers/answer-sequence';
import { CONTAIN_INSTANCE } from '../../lambda/handlers/contain-instance';
import { CONTAIN_TASK } from '../../lambda/handlers/contain-task';
import { CONTAIN_EKS } from '../../lambda/handlers/contain-eks';
import { CONTAIN_DATABASE } from '../../lambda/handlers/contain-database';
import { QUARANTINE_IMAGE } from '../../lambda/handlers/quarantine-image';
import { NOTIFY } from '../../lambda/handlers/notify';
import { REVOKE_CREDENTIALS } from '../../lambda/handlers/revoke-credentials';
import { BLOCK_PUBLIC_ACCESS } from '../../lambda/handlers/block-public-access';
import { QUARANTINE_OBJECT } from '../../lambda/handlers/quarantine-object';
import type { ServiceName } from '../../lambda/aws/clients';
import type { Report } from '../../lambda/plan/document';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { handleInvocation } from '../../lambda/runtime/handle';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import type { LambdaContext } from '../../lambda/runtime/home-account';
import type { PlaybookEntry } from '../../lambda/runtime/playbook-entry';

/** Each playbook's Lambda entry point: its playbook and the client classes its bundle carries. */
export const PLAYBOOK_ENTRIES: Readonly<Record<PlaybookName, PlaybookEntry>> = {
  'contain-instance': CONTAIN_INSTANCE,
  'revoke-credentials': REVOKE_CREDENTIALS,
  'block-public-access': BLOCK_PUBLIC_ACCESS,
  'quarantine-object': QUARANTINE_OBJECT,
  'contain-function': CONTAIN_FUNCTION,
  'answer-sequence': ANSWER_SEQUENCE,
  'contain-task': CONTAIN_TASK,
  'contain-eks': CONTAIN_EKS,
  'contain-database': CONTAIN_DATABASE,
  'quarantine-image': QUARANTINE_IMAGE,
  notify: NOTIFY,
};

/** Needed only after containment in every playbook: the evidence, the Security Hub note, and a waiting response's schedules and decision links. */
export const AFTER_CONTAINMENT: readonly ServiceName[] = ['s3', 'securityHub', 'scheduler', 'lambda'];

/**
 * The services whose client class each entry point imports on first use, so
 * a cold start does not load their code (lambda/aws/clients.ts
 * DeferredClientClass); an entry holds only those of its services. Beyond
 * what every playbook defers: revoke-credentials' CloudTrail (what the key
 * did, looked up after it is deactivated; answer-sequence's too), and IAM where the playbook's only
 * IAM call is the account alias for the notification.
 */
export const FIRST_USE_SERVICES: Readonly<Record<PlaybookName, readonly ServiceName[]>> = {
  'contain-instance': AFTER_CONTAINMENT,
  'revoke-credentials': [...AFTER_CONTAINMENT, 'cloudTrail'],
  'block-public-access': [...AFTER_CONTAINMENT, 'iam'],
  'quarantine-object': [...AFTER_CONTAINMENT, 'iam'],
  'contain-function': AFTER_CONTAINMENT,
  'answer-sequence': [...AFTER_CONTAINMENT, 'cloudTrail'],
  'contain-task': AFTER_CONTAINMENT,
  'contain-eks': AFTER_CONTAINMENT,
  'contain-database': [...AFTER_CONTAINMENT, 'iam'],
  'quarantine-image': [...AFTER_CONTAINMENT, 'iam'],
  notify: AFTER_CONTAINMENT,
};

/** The Lambda handler of the environment's playbook, with that playbook's own entry point, as its function runs it. */
export function handleAs(event: unknown, context: LambdaContext, env: LambdaEnvironment): Promise<Report | Report[]> {
  return handleInvocation(event, context, PLAYBOOK_ENTRIES[env.playbook], env);
}
