import type { Playbook } from '../types';
import { discoverInstance } from './discover';
import type { InstanceFacts } from './facts';
import { offlineInstanceFacts } from './offline-facts';
import { planContainInstance } from './plan';
import { CONTAIN_INSTANCE_STEP_SPECS } from './specs';

export const containInstancePlaybook: Playbook<InstanceFacts> = {
  name: 'contain-instance',
  description:
    'Isolate a compromised EC2 instance (every ENI, connection tracking included), preserve its evidence, ' +
    'cut its credentials on credential theft, and take it out of its Auto Scaling group and target groups.',
  stepSpecs: CONTAIN_INSTANCE_STEP_SPECS,
  discover: discoverInstance,
  offlineFacts: offlineInstanceFacts,
  plan: planContainInstance,
};
