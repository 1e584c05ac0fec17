import type { StepApproval } from '../../lambda/approval/types';
import type { PlannedStep } from '../../lambda/plan/types';
import { containInstancePlaybook } from '../../lambda/playbooks/contain-instance/playbook';
import type { AnyPlaybook } from '../../lambda/playbooks/types';

/** contain-instance's network moves: the changes the wait tests give to a person. */
export const isNetworkMove = (step: PlannedStep): boolean => step.id.startsWith('untrack:') || step.id.startsWith('isolate:');

/**
 * contain-instance with the policy's answer (`approvalOf`, asked each time a plan is made) on its network moves,
 * planned whole (no staged early isolation): the wait and its resumption tested without the policy's configuration.
 */
export function containInstanceWithApproval(approvalOf: () => StepApproval | undefined): AnyPlaybook {
  const contain = containInstancePlaybook as AnyPlaybook;
  return {
    name: contain.name,
    description: contain.description,
    stepSpecs: contain.stepSpecs,
    discover: (finding, clients, reads, context) => contain.discover(finding, clients, reads, context),
    offlineFacts: (finding) => contain.offlineFacts(finding),
    plan: (input) => {
      const planned = contain.plan(input);
      return {
        ...planned,
        steps: planned.steps.map((s) => {
          const approval = isNetworkMove(s) ? approvalOf() : undefined;
          return approval ? { ...s, approval } : s;
        }),
      };
    },
  };
}
