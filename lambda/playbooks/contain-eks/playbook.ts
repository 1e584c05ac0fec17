import type { Playbook } from '../types';
import { discoverEks, offlineEksFacts } from './discover';
import type { ContainEksFacts } from './facts';
import { planContainEks } from './plan';
import { CONTAIN_EKS_STEP_SPECS, CONTAIN_NODE_CLASS } from './specs';

export const containEksPlaybook: Playbook<ContainEksFacts> = {
  name: 'contain-eks',
  description:
    'Answer an EKS finding: contain the node it names with contain-instance (class contain-node, approve by default), revoke the sessions ' +
    'of the IAM user or role the Kubernetes user is, and give the kubectl commands to cordon the node and isolate the pod.',
  stepSpecs: CONTAIN_EKS_STEP_SPECS,
  planChangeClasses: [CONTAIN_NODE_CLASS],
  discover: discoverEks,
  offlineFacts: offlineEksFacts,
  plan: planContainEks,
};
