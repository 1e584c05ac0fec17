import type { Playbook } from '../types';
import { discoverQuarantineObjectFacts } from './discover';
import type { QuarantineObjectFacts } from './facts';
import { offlineQuarantineObjectFacts } from './offline-facts';
import { planQuarantineObject } from './plan';
import { QUARANTINE_OBJECT_STEP_SPECS } from './specs';

/** Malware in S3: the exact object version is tagged for quarantine, or copied to the quarantine bucket and then removed (s3Quarantine.mode); recorded first. */
export const quarantineObjectPlaybook: Playbook<QuarantineObjectFacts> = {
  name: 'quarantine-object',
  description:
    'Quarantine a malicious S3 object version: record its tags, then tag that exact version so the bucket policy denies reading it ' +
    'to everyone but the security team, or (copy mode) copy it to the quarantine bucket, verify the copy, and only then remove that version (docs/playbooks-s3.md).',
  stepSpecs: QUARANTINE_OBJECT_STEP_SPECS,
  discover: discoverQuarantineObjectFacts,
  offlineFacts: offlineQuarantineObjectFacts,
  plan: planQuarantineObject,
};
