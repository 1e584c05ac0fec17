import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import { planContainInstance } from '../contain-instance/plan';
import { foundValue } from '../revoke-credentials/facts';
import { exemptPrincipalVerdict, principalProtection, unreadableVerdict } from '../revoke-credentials/protection';
import { afterKeyRecord, keyRestoreRecordStep } from '../revoke-credentials/restore-record-step';
import { revokeRoleSessionsStep } from '../revoke-credentials/revoke-role-sessions-step';
import { revokeUserSessionsStep } from '../revoke-credentials/revoke-user-sessions-step';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { ContainEksFacts } from './facts';
import { cordonNode, isolatePod } from './kubectl';
import { CONTAIN_NODE_CLASS } from './specs';

/*
 * An EKS finding: contain the node it names with contain-instance's plan,
 * each of those changes under the class contain-node (approve by default);
 * revoke the sessions of the IAM principal the Kubernetes user is, with
 * revoke-credentials' steps and protections; and give people the kubectl
 * commands the responder cannot run (cordon, label, deny-all NetworkPolicy).
 */
export function planContainEks(input: PlanningInput<ContainEksFacts>): PlaybookPlan {
  const { facts } = input;
  const warnings: string[] = [];
  const verdicts: GuardVerdict[] = [];
  let tags: Readonly<Record<string, string>> = {};
  const steps: PlannedStep[] = [];

  if (facts.node) {
    const node = planContainInstance({ ...input, facts: facts.node });
    const refused = node.verdicts.filter((v) => v.blocks);
    if (refused.length > 0) warnings.push(...refused.map((v) => `The node is NOT contained: ${v.reason}.`));
    else steps.push(...node.steps.map((step) => (step.changeClass ? { ...step, changeClass: CONTAIN_NODE_CLASS } : step)));
    warnings.push(...node.warnings);
    tags = node.resourceTags;
  }

  const revocation = planRevocation(input);
  verdicts.push(...revocation.verdicts);
  warnings.push(...revocation.warnings);
  const taken = new Set(steps.map((s) => s.id));
  for (const step of revocation.steps) {
    if (taken.has(step.id)) warnings.push(`${step.title}: already planned by the node's containment.`);
    else steps.push(step);
  }

  // The incident id (ir-<hex>) is a valid label value: it names the label and the policy.
  const incidentLabel = input.incidentId;
  const cordon = facts.node ? cordonNode(facts.nodeName) : { commands: [], refused: [] };
  const pod = isolatePod(facts.workload, incidentLabel);
  const commands = [...cordon.commands, ...pod.commands];
  if (commands.length > 0) {
    warnings.push(
      `By hand, with kubectl on cluster ${facts.clusterName ?? '(unnamed)'} (the responder holds no Kubernetes credentials; the deny-all policy holds only where a network policy engine runs):`,
      ...commands.map((c) => `  ${c}`),
    );
  }
  warnings.push(...cordon.refused, ...pod.refused);
  if (!facts.node && facts.principal.kind === 'unmapped' && commands.length === 0) warnings.push('The finding names no node, IAM principal or pod: nothing is done automatically.');

  return {
    steps: steps.sort((a, b) => a.stage - b.stage),
    warnings,
    verdicts,
    resourceTags: tags,
    resource: {
      cluster: facts.clusterName,
      node: facts.node?.instanceId ?? null,
      nodeName: facts.nodeName,
      pod: facts.workload,
      kubernetesUser: facts.principal.username,
      iamPrincipal: facts.principal.kind === 'unmapped' ? null : facts.principal.arn,
    },
  };
}

interface Revocation {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
  readonly verdicts: GuardVerdict[];
}

function planRevocation(input: PlanningInput<ContainEksFacts>): Revocation {
  const { principal, entity } = input.facts;
  if (principal.kind === 'unmapped') {
    return {
      steps: [],
      verdicts: [],
      warnings: principal.username
        ? [`Kubernetes user ${principal.username}: ${principal.why}. Find the IAM principal it maps to (aws-auth ConfigMap or the cluster's access entries) and revoke its sessions by hand; remove its Kubernetes permissions if they are not needed.`]
        : [],
    };
  }
  const ref = { kind: principal.kind, name: principal.name, accountId: input.finding.accountId ?? null };
  const found = foundValue(entity);
  const ruling = principalProtection({ ...ref, path: found?.path ?? null }, input);
  // A principal the configuration protects or exempts, or that could not be read, blocks only its revocation: the node is still contained.
  const refusals = [ruling.verdict, exemptPrincipalVerdict(ref, input), ...unreadableVerdict(`IAM ${principal.kind} ${principal.name}`, entity, principal.kind === 'user' ? 'GetUser' : 'GetRole')].filter((v) => v.blocks);
  if (ruling.protection) return { steps: [], verdicts: [], warnings: [ruling.protection.manualStep] };
  if (refusals.length > 0) return { steps: [], verdicts: [], warnings: refusals.map((v) => `The sessions of ${principal.arn} are NOT revoked: ${v.reason}.`) };
  if (entity.state === 'missing') return { steps: [], verdicts: [], warnings: [`IAM ${principal.kind} ${principal.name} no longer exists: there is nothing to revoke.`] };
  const because = `Kubernetes user ${principal.username} is IAM ${principal.kind} ${principal.name}, named by the finding`;
  const label = found?.arn ?? principal.arn;
  const revoke =
    principal.kind === 'role'
      ? revokeRoleSessionsStep({ roleName: principal.name, roleLabel: label, planningTime: input.now, stage: 1, because })
      : revokeUserSessionsStep({ userName: principal.name, userLabel: label, planningTime: input.now, stage: 1, because });
  const record = keyRestoreRecordStep({
    accountId: input.finding.accountId ?? null,
    accessKeyId: null,
    incidentId: input.incidentId,
    findingId: input.finding.id,
    region: input.finding.region ?? null,
    principal: { kind: principal.kind, name: principal.name },
  });
  return {
    steps: [record, ...afterKeyRecord([revoke])],
    verdicts: [],
    warnings: [`Every session of IAM ${principal.kind} ${principal.name} issued before the revocation stops working, in Kubernetes and everywhere else, until it takes fresh credentials.`],
  };
}
