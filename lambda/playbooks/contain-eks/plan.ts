import type { GuardVerdict } from '../../guards/types';
import { INSTANCE_UNREADABLE } from '../../guards/unreadable';
import type { PlannedStep } from '../../plan/types';
import { planContainInstance } from '../contain-instance/plan';
import { foundValue } from '../revoke-credentials/facts';
import { exemptPrincipalVerdict, principalProtection, unreadableVerdict } from '../revoke-credentials/protection';
import { afterKeyRecord, keyRestoreRecordStep } from '../revoke-credentials/restore-record-step';
import { revokeRoleSessionsStep } from '../revoke-credentials/revoke-role-sessions-step';
import { revokeUserSessionsStep } from '../revoke-credentials/revoke-user-sessions-step';
import { untrusted } from '../../text/untrusted';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { ContainEksFacts } from './facts';
import { checkMappedIdentity } from './identity-check';
import { cordonNode, isolatePod } from './kubectl';
import { manualRevocationSteps } from './manual';
import { clusterMembership } from './node-cluster';
import { CONTAIN_NODE_CLASS } from './specs';

/*
 * An EKS finding: contain the node it names with contain-instance's plan
 * (only an instance tagged as a node of the finding's cluster), each of those
 * changes under the class contain-node (approve by default); revoke the
 * sessions of the IAM principal the Kubernetes user is, with
 * revoke-credentials' steps and protections, only when the uid proves it is
 * the caller (identity-check.ts), else MANUAL steps (manual.ts); and give
 * people the kubectl commands the responder cannot run (cordon, label,
 * deny-all NetworkPolicy).
 */
export function planContainEks(input: PlanningInput<ContainEksFacts>): PlaybookPlan {
  const { facts } = input;
  const warnings: string[] = [];
  const verdicts: GuardVerdict[] = [];
  let tags: Readonly<Record<string, string>> = {};
  const steps: PlannedStep[] = [];

  if (facts.node) {
    const node = planContainInstance({ ...input, facts: facts.node });
    const blocking = node.verdicts.filter((v) => v.blocks);
    // A node that could not be read is not decided on: the verdict stays a verdict, so nothing changes (the revocation
    // waits too), the incident stays open, and a transient failure is retried (lambda/runtime/retry-policy.ts).
    const unreadable = blocking.filter((v) => v.id === INSTANCE_UNREADABLE);
    const membership = clusterMembership(facts.node.instanceId, facts.node.tags, facts.clusterName);
    if (unreadable.length > 0) {
      verdicts.push(...unreadable);
      warnings.push('The node could not be read: NOTHING is changed, the revocation included; the incident stays open and the response is retried when the failure was transient.');
    } else if (blocking.length > 0) warnings.push(...blocking.map((v) => `The node is NOT contained: ${v.reason}.`));
    else if (!membership.member) warnings.push(`The node is NOT contained: ${membership.why}. Check whether it is a node of the cluster before containing it by hand.`);
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
      /** The principal the username claims: free text of the mapping, revoked only when verified. */
      iamPrincipal: facts.principal.kind === 'unmapped' ? null : facts.principal.arn,
      /** The caller's IAM unique id, from the uid the authenticator wrote. */
      authenticatedPrincipalId: facts.principal.authenticated.state === 'known' ? facts.principal.authenticated.principalId : null,
    },
  };
}

interface Revocation {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
  readonly verdicts: GuardVerdict[];
}

function planRevocation(input: PlanningInput<ContainEksFacts>): Revocation {
  const { principal, entity, clusterName } = input.facts;
  const manual = () => manualRevocationSteps({ principal, clusterName, now: input.now });
  if (principal.kind === 'unmapped') {
    if (!principal.username && principal.authenticated.state === 'unknown') return { steps: [], verdicts: [], warnings: [] };
    return {
      steps: [],
      verdicts: [],
      warnings: [`Kubernetes user ${untrusted(principal.username ?? '(unnamed)')}: ${principal.why}. Nothing is revoked automatically.`, ...manual()],
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
  // Offline (not read), only the uid is checked; the live run compares it with IAM's id before any change.
  const check = checkMappedIdentity(principal, found ?? null);
  if (!check.verified) {
    const headline = check.forged
      ? `NOT REVOKED - THE KUBERNETES USER'S MAPPING DOES NOT MATCH THE CALLER: ${check.why}. Someone who can edit aws-auth or the access entries may have named another principal to have it revoked; ${untrusted(principal.arn)} is left alone.`
      : `The sessions of ${untrusted(principal.arn)} are NOT revoked: ${check.why}.`;
    return { steps: [], verdicts: [], warnings: [headline, ...manual()] };
  }
  const verifiedBy = check.againstIam
    ? `, verified: its unique id ${check.principalId} is the one the authenticator gave the caller`
    : ` if IAM's unique id for it is ${check.principalId}, the caller's (planned offline: not compared yet)`;
  const because = `Kubernetes user ${untrusted(principal.username)} is IAM ${principal.kind} ${principal.name}${verifiedBy}`;
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
