import { withApprovalPolicy } from '../../approval/annotate';
import { routingTableFor } from '../../config/routing-of';
import type { RuntimeConfig } from '../../config/schema';
import type { Finding } from '../../finding/schema';
import { exemptTagGuard } from '../../guards/exempt-tag';
import type { GuardVerdict } from '../../guards/types';
import type { JsonValue, PlannedStep } from '../../plan/types';
import type { PlaybookName } from '../../routing/playbook-names';
import { untrusted } from '../../text/untrusted';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { SequenceFacts } from './facts';
import { memberOf } from './members';
import { prefixedStep } from './prefix';
import { findingForResource, resolveResources, type ResolvedResource } from './resolve';
import { sequenceOf, signalsInOrder } from './sequence';

/*
 * One plan for the whole sequence: each answered resource's playbook plans
 * its resource as it would alone, and its steps join the plan under the
 * resource's ref (prefix.ts), keeping their stages (the resources are
 * answered side by side), their change classes (the approval policy decides
 * on each step as it would alone) and their IAM declarations.
 *
 * What would stop a playbook alone stops it here for its resource only: a
 * blocking verdict of its own (the responder's own role, ...), the exempt
 * tag, its severity floor. The other resources are still answered, and the
 * report says of each resource what answers it, or why nothing does.
 */

/** What the report and the notification say of one resource (JSON). */
export interface ResourceAnswerReport {
  readonly ref: string;
  readonly type: string | null;
  readonly uid: string | null;
  readonly name: string | null;
  readonly label: string | null;
  /** answered: its playbook's steps are in the plan; reported: nothing is done to it; refused: its input was refused or its playbook stopped. */
  readonly answer: 'answered' | 'reported' | 'refused';
  readonly playbook: PlaybookName | null;
  readonly findingType: string | null;
  readonly reason: string;
  readonly steps: number;
}

type Outcome = { readonly steps: PlannedStep[]; readonly warnings: string[]; readonly verdicts: GuardVerdict[]; readonly report: ResourceAnswerReport };

function floorOf(config: RuntimeConfig, playbook: PlaybookName): number | undefined {
  const floors: Readonly<Record<string, number | undefined>> = config.minSeverity;
  return floors[playbook];
}

function planOne(resolved: ResolvedResource, input: PlanningInput<SequenceFacts>): Outcome {
  const { ref, resolution } = resolved;
  const base = { ref, type: resolved.typeName, uid: resolved.uid, name: resolved.name };
  const none = (answer: 'reported' | 'refused', reason: string, label: string | null, playbook: PlaybookName | null = null, findingType: string | null = null): Outcome => ({
    steps: [],
    // Every resource the plan does not answer is named, so the plan shows the whole sequence.
    warnings: [`${ref} ${untrusted(resolved.typeName ?? 'unknown type')} ${untrusted(resolved.uid ?? '(no uid)')}: ${answer === 'refused' ? 'REFUSED, nothing is done to it' : 'reported, not acted on'}: ${reason}`],
    verdicts: [],
    report: { ...base, label, answer, playbook, findingType, reason, steps: 0 },
  });
  if (resolution.kind === 'refused') return none('refused', resolution.reason, null);
  const { view } = resolution;
  if (resolution.kind === 'reported') return none('reported', resolution.reason, view.label);
  const { answer } = resolution;
  const playbook = memberOf(answer.playbook);
  const refusedAs = (reason: string) => none('refused', reason, view.label, answer.playbook, answer.findingType);
  if (!playbook) return none('reported', `${answer.playbook} does not answer resources of a sequence`, view.label);
  const floor = floorOf(input.config, answer.playbook);
  if (floor !== undefined && input.finding.severity < floor) return refusedAs(`severity ${input.finding.severity} is below the ${answer.playbook} floor of ${floor}`);
  const facts = input.facts.resources.find((r) => r.ref === ref);
  if (!facts || facts.playbook !== answer.playbook) {
    return refusedAs(`${answer.playbook} did not read it (discovery answers with the shipped routing table; the configured one picks another playbook)`);
  }
  if (facts.read === 'failed') return refusedAs(`${answer.playbook} could not read it: ${facts.error}`);
  const finding: Finding = findingForResource(input.finding, view, answer.findingType);
  let planned: PlaybookPlan;
  try {
    // The approval policy decides on each step with this resource's own tags, as it would for the playbook alone.
    planned = withApprovalPolicy(playbook, input.config).plan({ ...input, finding, facts: facts.facts });
  } catch (error) {
    return refusedAs(`${answer.playbook} could not plan it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exempt = exemptTagGuard.check({ finding, playbook: answer.playbook, config: input.config, dryRun: false, resourceTags: planned.resourceTags });
  const blocking = [...planned.verdicts.filter((v) => v.blocks), ...(exempt.blocks ? [exempt] : [])];
  if (blocking.length > 0) return refusedAs(blocking.map((v) => `${v.id}: ${v.reason}`).join('; '));
  const named = (text: string) => `${ref} ${view.label}: ${text}`;
  return {
    steps: planned.steps.map((step) => prefixedStep(step, ref, view.label)),
    warnings: planned.warnings.map(named),
    verdicts: [...planned.verdicts, exempt].map((v) => ({ ...v, id: `${ref}/${v.id}`, reason: named(v.reason) })),
    report: { ...base, label: view.label, answer: 'answered', playbook: answer.playbook, findingType: answer.findingType, reason: answer.why, steps: planned.steps.length },
  };
}

function sequenceReport(finding: Finding, answers: readonly ResourceAnswerReport[]): Record<string, JsonValue> {
  const sequence = sequenceOf(finding);
  return {
    sequence: sequence.uid ?? null,
    signals: signalsInOrder(sequence.signals).map((s) => ({ uid: s.uid ?? null, type: s.type ?? null, name: s.name ?? null, firstSeenAt: s.firstSeenAt ?? null })),
    actors: sequence.actors.map((a) => ({ id: a.id ?? null, user: a.user?.name ?? null, userType: a.user?.type ?? null })),
    endpoints: sequence.endpoints.map((e) => ({ id: e.id ?? null, ip: e.ip ?? null })),
    resources: answers.map((a) => ({ ...a })),
  };
}

export function planAnswerSequence(input: PlanningInput<SequenceFacts>): PlaybookPlan {
  const resolved = resolveResources(input.finding, routingTableFor(input.config));
  const outcomes = resolved.map((r) => planOne(r, input));
  const answered = outcomes.filter((o) => o.report.answer === 'answered').length;
  return {
    steps: outcomes.flatMap((o) => o.steps),
    warnings: [
      ...(resolved.length === 0 ? ['the attack sequence names no resource: nothing is answered; open it in GuardDuty'] : []),
      ...(resolved.length > 0 && answered === 0 ? ['no resource of the sequence is answered by a playbook: each is reported for a person to answer'] : []),
      ...outcomes.flatMap((o) => o.warnings),
    ],
    verdicts: outcomes.flatMap((o) => o.verdicts),
    // Exempt tags are checked for each resource, against that resource's own playbook (planOne).
    resourceTags: {},
    resource: sequenceReport(input.finding, outcomes.map((o) => o.report)),
  };
}
