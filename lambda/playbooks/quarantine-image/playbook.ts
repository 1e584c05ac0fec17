import type { Playbook } from '../types';
import { discoverQuarantineImageFacts, offlineQuarantineImageFacts } from './discover';
import type { QuarantineImageFacts } from './facts';
import { planQuarantineImage } from './plan';
import { QUARANTINE_IMAGE_STEP_SPECS } from './specs';

/** Malware in a backup: the snapshot, AMI or recovery point is marked infected and shared with nobody, the sharing recorded for ir release. */
export const quarantineImagePlaybook: Playbook<QuarantineImageFacts> = {
  name: 'quarantine-image',
  description:
    'Quarantine an EBS snapshot, AMI or backup recovery point a malware scan found infected: tag it as infected with the incident, and remove every ' +
    'account, organization and public grant of its sharing (class unshare-image), recording them first for ir release; a Backup recovery point is tagged, ' +
    'its vault access policy and copies are manual steps. Nothing is deleted.',
  stepSpecs: QUARANTINE_IMAGE_STEP_SPECS,
  discover: discoverQuarantineImageFacts,
  offlineFacts: offlineQuarantineImageFacts,
  plan: planQuarantineImage,
};
