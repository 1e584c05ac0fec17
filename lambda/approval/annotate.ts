import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { PlannedStep } from '../plan/types';
import type { AnyPlaybook } from '../playbooks/types';
import { evaluateApproval } from './evaluate';
import { approvalSchema, type ApprovalConfig } from './schema';
import { BUILT_IN_DEFAULT_MODES } from './types';

/*
 * Where the plan meets the policy: every step of a change class gets the
 * policy's decision (evaluate.ts), from the finding and the resource's tags
 * as the playbook discovered them. Applied once, to the playbook the
 * response runs (lambda/respond/begin.ts), so the staged first steps
 * (isolation) and the whole plan carry the same decisions.
 */

/**
 * The steps with their decisions. A step that only undoes a change of this same response that failed (an ENI
 * returned to its groups) never waits: it makes nothing worse than it was before the response. A step already
 * decided keeps its decision: answer-sequence decides each resource's steps with that resource's own tags
 * (lambda/playbooks/answer-sequence/plan.ts), which the sequence as a whole does not carry.
 */
export function withApprovals(steps: readonly PlannedStep[], policy: ApprovalConfig, finding: Finding, tags: Readonly<Record<string, string>>): PlannedStep[] {
  return steps.map((step) =>
    step.changeClass && step.compensates === undefined && step.approval === undefined
      ? { ...step, approval: evaluateApproval(policy, { changeClass: step.changeClass, accountId: finding.accountId ?? null, severity: finding.severity, tags }) }
      : step,
  );
}

/** The policy of a configuration without an `approval` key: every default, which names no mode (so only BUILT_IN_DEFAULT_MODES are not auto). */
const NO_APPROVAL_KEY: ApprovalConfig = approvalSchema.parse({});

/**
 * The playbook, its plans carrying the policy's decisions. Without an `approval` key, the playbook itself when none of
 * its step kinds (nor a class its plan gives steps, planChangeClasses) is of a class with a built-in default other
 * than auto (nothing changes); a playbook that has one (contain-database; contain-eks and contain-task through
 * contain-node) gets the default policy, so that change still waits for a person.
 */
export function withApprovalPolicy(playbook: AnyPlaybook, config: RuntimeConfig): AnyPlaybook {
  const classes = [...playbook.stepSpecs.flatMap((spec) => (spec.changeClass ? [spec.changeClass] : [])), ...(playbook.planChangeClasses ?? [])];
  const waitsByDefault = classes.some((changeClass) => BUILT_IN_DEFAULT_MODES[changeClass] !== undefined);
  const policy = config.approval ?? (waitsByDefault ? NO_APPROVAL_KEY : undefined);
  if (!policy) return playbook;
  const { discoverStaged } = playbook;
  return {
    name: playbook.name,
    description: playbook.description,
    stepSpecs: playbook.stepSpecs,
    discover: (finding, clients, reads, context) => playbook.discover(finding, clients, reads, context),
    offlineFacts: (finding) => playbook.offlineFacts(finding),
    plan: (input) => {
      const planned = playbook.plan(input);
      return { ...planned, steps: withApprovals(planned.steps, policy, input.finding, planned.resourceTags) };
    },
    ...(discoverStaged
      ? {
          discoverStaged: (finding, clients, reads, context) => {
            const staged = discoverStaged.call(playbook, finding, clients, reads, context);
            return { first: staged.first.then((first) => ({ ...first, steps: withApprovals(first.steps, policy, finding, first.resourceTags) })), all: staged.all };
          },
        }
      : {}),
  };
}
