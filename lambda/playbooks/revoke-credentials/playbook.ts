import type { Playbook } from '../types';
import { discoverRevokeCredentialsFacts } from './discover';
import type { RevokeCredentialsFacts } from './facts';
import { offlineRevokeCredentialsFacts } from './offline-facts';
import { planRevokeCredentials } from './plan';
import { REVOKE_CREDENTIALS_STEP_SPECS } from './specs';

/** Misused AWS credentials stop working: the exact key is deactivated and older sessions are revoked; then what the key did is read. */
export const revokeCredentialsPlaybook: Playbook<RevokeCredentialsFacts> = {
  name: 'revoke-credentials',
  description:
    "Stop misused credentials: deactivate the IAM user's long-term key the finding names and revoke the user's or role's older sessions; " +
    'then, read-only, find what the key and the principal were used for (key last used, services accessed, CloudTrail events of the key); ' +
    'root, federated and service principals get manual steps.',
  stepSpecs: REVOKE_CREDENTIALS_STEP_SPECS,
  discover: discoverRevokeCredentialsFacts,
  offlineFacts: offlineRevokeCredentialsFacts,
  plan: planRevokeCredentials,
};
