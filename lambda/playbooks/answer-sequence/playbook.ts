import type { Playbook } from '../types';
import { discoverSequence, offlineSequenceFacts } from './discover';
import type { SequenceFacts } from './facts';
import { planAnswerSequence } from './plan';
import { ANSWER_SEQUENCE_STEP_SPECS } from './specs';

/** An attack sequence: each resource it names is answered by the playbook the routing table picks for it, all in one incident and one plan. */
export const answerSequencePlaybook: Playbook<SequenceFacts> = {
  name: 'answer-sequence',
  description:
    'Answer an attack sequence: every resource it names (an access key, a role, an instance, a bucket, ...) is answered by the playbook ' +
    'the routing table picks for the sequence finding that names it, in one incident and one plan; a resource of another account, ' +
    'of a type no playbook answers, or that no finding names is reported with the reason.',
  stepSpecs: ANSWER_SEQUENCE_STEP_SPECS,
  discover: discoverSequence,
  offlineFacts: offlineSequenceFacts,
  plan: planAnswerSequence,
};
