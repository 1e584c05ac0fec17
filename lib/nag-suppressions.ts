import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { OWED_NOTE_WRITER_STEP_SPECS } from '../lambda/close-loop/specs';
import type { StepSpec } from '../lambda/plan/types';
import { PLAYBOOK_NAMES } from '../lambda/routing/playbook-names';
import { PLAYBOOK_RUNTIME } from './lambda-bundle/options';
import { WILDCARD_REASONS, type ScopeReferences } from './iam/action-resources';
import { grantsOf, scopedGrants } from './iam/scoped-statements';
import { playbookRoleSpecs } from './iam/playbook-role';
import type { IncidentResponseStack } from './incident-response-stack';
import type { ApprovalChannels } from './approval/approval-channels';
import { memberRoleStepSpecs } from './member/member-actions';
import type { IncidentResponseMemberStack } from './member/member-stack';

/*
 * Every cdk-nag (AwsSolutions) finding this stack accepts, in one place, each
 * on the one construct it concerns and, for IAM5, per wildcard resource
 * (never the whole rule), with the reason a reviewer needs. Anything not
 * acknowledged here fails `cdk synth` and test/cdk/nag.test.ts.
 */

const RUNTIME_REASON =
  `${PLAYBOOK_RUNTIME.name} is pinned on purpose: it is a supported Lambda runtime on a maintained Node.js LTS line, and ` +
  'the bundle (esbuild target, bundled AWS SDK) is built and tested for it. Moving to a newer runtime is a one-line change in lib/bundling.ts.';

const FAILURE_QUEUE_REASON =
  'This queue is itself the dead-letter destination: the on-failure destination of the playbook Lambda (asynchronous invocation ' +
  'config). A queue behind it would only move the same failed findings again; they are kept 14 days and an alarm fires on the first one.';

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * IAM5 names each wildcard resource as cdk-nag prints it (tokens flattened,
 * e.g. `arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*`). Derived from the
 * same scoping module as the role, so a new step action is acknowledged only
 * with the reason its scope has.
 */
function acknowledgeWildcardResources(role: IConstruct, specs: readonly StepSpec[], refs: ScopeReferences): void {
  const stack = Stack.of(role);
  const byResource = new Map<string, { actions: string[]; reasons: Set<string> }>();
  for (const grant of scopedGrants(grantsOf(specs), refs)) {
    for (const resource of grant.resources) {
      const flat = flattenCfnReference(stack.resolve(resource));
      if (!flat.includes('*')) continue;
      const reason = WILDCARD_REASONS[grant.kind];
      if (!reason) throw new Error(`no reason to accept a wildcard resource for scope ${grant.kind} (${grant.actions.join(', ')})`);
      const entry = byResource.get(flat) ?? { actions: [], reasons: new Set<string>() };
      for (const action of grant.actions) if (!entry.actions.includes(action)) entry.actions.push(action);
      entry.reasons.add(reason);
      byResource.set(flat, entry);
    }
  }
  for (const [resource, { actions, reasons }] of byResource) {
    acknowledge(role, `AwsSolutions-IAM5[Resource::${resource}]`, `${[...actions].sort().join(', ')}: ${[...reasons].join('; ')}.`);
  }
}

export function acknowledgeNagFindings(stack: IncidentResponseStack): void {
  for (const name of PLAYBOOK_NAMES) {
    const playbook = stack.playbooks[name];
    acknowledge(playbook.function, 'AwsSolutions-L1', RUNTIME_REASON);
    acknowledge(playbook.failureQueue, 'AwsSolutions-SQS3', FAILURE_QUEUE_REASON);
    acknowledgeWildcardResources(playbook.role, playbookRoleSpecs(name, stack.scopeReferences), stack.scopeReferences);
  }
  const owed = stack.owedNotes;
  if (owed) {
    acknowledge(owed.function, 'AwsSolutions-L1', RUNTIME_REASON);
    acknowledge(owed.failureQueue, 'AwsSolutions-SQS3', FAILURE_QUEUE_REASON);
    acknowledgeWildcardResources(owed.role, OWED_NOTE_WRITER_STEP_SPECS, stack.scopeReferences);
  }
  if (stack.approval) acknowledgeApprovalNagFindings(stack.approval, stack.scopeReferences);
}

/** The approval channels' functions: the same runtime reason, and their roles' wildcard resources with the playbook roles' reasons. */
function acknowledgeApprovalNagFindings(approval: ApprovalChannels, refs: ScopeReferences): void {
  const stack = Stack.of(approval);
  for (const channel of [approval.link, approval.decide, ...(approval.chat ? [approval.chat] : []), approval.securityHub]) {
    acknowledge(channel.function, 'AwsSolutions-L1', RUNTIME_REASON);
  }
  const evidence = flattenCfnReference(stack.resolve(refs.evidenceObjectsArn));
  for (const channel of [approval.link, approval.decide, ...(approval.chat ? [approval.chat] : [])]) {
    acknowledge(channel.role, `AwsSolutions-IAM5[Resource::${evidence}]`, `s3:PutObject: ${WILDCARD_REASONS['evidence-objects']} (one decision object per decision, under its incident).`);
  }
  const detector = flattenCfnReference(stack.resolve(`arn:${stack.partition}:guardduty:${stack.region}:${stack.account}:detector/*`));
  acknowledge(approval.securityHub.role, `AwsSolutions-IAM5[Resource::${detector}]`, `guardduty:GetFindings: ${WILDCARD_REASONS['guardduty-detector']}.`);
  acknowledge(approval.securityHub.role, 'AwsSolutions-IAM5[Resource::*]', `guardduty:ListDetectors: ${WILDCARD_REASONS['no-resource-level-permissions']}.`);
}

/** The member stack is one role: only its wildcard resources, with the same reasons as the playbook roles. */
export function acknowledgeMemberNagFindings(stack: IncidentResponseMemberStack): void {
  acknowledgeWildcardResources(stack.role, memberRoleStepSpecs(), stack.scopeReferences);
}
