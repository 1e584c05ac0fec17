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

/** The Lambda handler of the environment's playbook, with that playbook's own entry point, as its function runs it. */
export function handleAs(event: unknown, context: LambdaContext, env: LambdaEnvironment): Promise<Report | Report[]> {
  return handleInvocation(event, context, PLAYBOOK_ENTRIES[env.playbook], env);
}
