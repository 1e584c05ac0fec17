import type { Playbook } from '../types';
import { discoverTask } from './discover';
import type { ContainTaskFacts } from './facts';
import { offlineTaskFacts } from './offline-facts';
import { planContainTask } from './plan';
import { CONTAIN_HOST_CLASS, CONTAIN_TASK_STEP_SPECS } from './specs';

export const containTaskPlaybook: Playbook<ContainTaskFacts> = {
  name: 'contain-task',
  description:
    'Contain a compromised ECS task: record the task, its task definition and image digests; stop it (Fargate) or isolate the EC2 instance ' +
    'under it with contain-instance (EC2 launch type, class contain-node: approve by default); tag its task definition revision as suspect so its reuse can be blocked.',
  stepSpecs: CONTAIN_TASK_STEP_SPECS,
  planChangeClasses: [CONTAIN_HOST_CLASS],
  discover: discoverTask,
  offlineFacts: offlineTaskFacts,
  plan: planContainTask,
};
