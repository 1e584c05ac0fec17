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
    "Stop misused credentials: deactivate the IAM user's long-term key the finding names and revoke the user's or role's older sessions " +
    "(a federated user's: the sessions of the IAM user that issued it); " +
    'then, read-only, find what the key and the principal were used for (key last used, services accessed, CloudTrail events of the key); ' +
    'root, IAM Identity Center roles, federated sessions whose issuer is not named and service principals get manual steps. ' +
    'For S3 data findings, the buckets and the API call are recorded beside the principal.',
  stepSpecs: REVOKE_CREDENTIALS_STEP_SPECS,
  discover: discoverRevokeCredentialsFacts,
  offlineFacts: offlineRevokeCredentialsFacts,
  plan: planRevokeCredentials,
};
