import type { Playbook } from '../types';
import { discoverContainFunctionFacts } from './discover';
import type { ContainFunctionFacts } from './facts';
import { offlineContainFunctionFacts } from './offline-facts';
import { planContainFunction } from './plan';
import { CONTAIN_FUNCTION_STEP_SPECS } from './specs';

/** A compromised Lambda function stops running (reserved concurrency 0) and its execution role's older sessions are revoked. */
export const containFunctionPlaybook: Playbook<ContainFunctionFacts> = {
  name: 'contain-function',
  description:
    'Contain a compromised Lambda function: record its configuration (code hash, version, role, VPC, environment variable names) and reserved concurrency, ' +
    "set its reserved concurrency to 0 so it no longer runs, and revoke its execution role's older sessions; nothing is deleted.",
  stepSpecs: CONTAIN_FUNCTION_STEP_SPECS,
  discover: discoverContainFunctionFacts,
  offlineFacts: offlineContainFunctionFacts,
  plan: planContainFunction,
};
