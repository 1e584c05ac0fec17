import { incidentIdOf } from '../../respond/incident-id';
import type { Playbook } from '../types';
import { discoverInstance, discoverInstanceInParts } from './discover';
import type { InstanceFacts } from './facts';
import { offlineInstanceFacts } from './offline-facts';
import { planContainInstance, planFirstSteps } from './plan';
import { CONTAIN_INSTANCE_STEP_SPECS } from './specs';

export const containInstancePlaybook: Playbook<InstanceFacts> = {
  name: 'contain-instance',
  description:
    'Isolate a compromised EC2 instance (every ENI, connection tracking included), preserve its evidence, ' +
    'cut its credentials on credential theft, and take it out of its Auto Scaling group and target groups.',
  stepSpecs: CONTAIN_INSTANCE_STEP_SPECS,
  discover: discoverInstance,
  discoverStaged(finding, clients, reads, context) {
    const parts = discoverInstanceInParts(finding, clients, reads, context);
    const target = { accountId: finding.accountId ?? null, region: finding.region ?? null, incidentId: incidentIdOf(finding), findingId: finding.id };
    return { first: parts.first.then((facts) => planFirstSteps(facts, target)), all: parts.all };
  },
  offlineFacts: offlineInstanceFacts,
  plan: planContainInstance,
};
