import { isAwaitingApproval } from '../approval/held';
import type { ApprovalLinks } from '../approval/link';
import { APPROVAL_REQUEST_STEP_ID } from '../approval/step-ids';
import { isCloseLoopStep } from '../close-loop/ids';
import { confirmationVerdict } from '../confirm/verdicts';
import type { Finding } from '../finding/schema';
import { ACTING_PRINCIPAL_VERDICTS } from '../guards/acting-principal';
import { EXEMPTION_VERDICTS } from '../guards/exemptions';
import { MANUAL_RESPONSE } from '../guards/manual-response';
import { describeEvidence } from '../investigation/evidence-text';
import { BLAST_RADIUS_BRAKE } from '../ledger/verdicts';
import { holderUnknown } from '../plan/repeat-delivery';
import type { PlanDocument } from '../plan/document';
import { exposedBy, leftClosedBy, leftOnAllowAllBy } from '../plan/exposed';
import { PHASE_OUT_OF_TIME_VERDICTS, phasesOutOfTime } from '../plan/phase-verdicts';
import type { StepOutcome } from '../plan/types';
import { changesOf, couldNotDoOf, nextStepsOf, resolvePlaceholders } from './changes';
import { findingFactsOf, type FindingFacts } from './finding-facts';
import { cloudTrailEventsUrl, guardDutyFindingUrl, resourceUrl, type NotificationLink } from './links';
import { primaryResourceOf, resourceSections, type PrimaryResource, type ResourceSection } from './resources';
import { sequenceAnswersOf } from './sequence-answers';
import { severityOf, type Severity } from './severity';
import { summaryOf } from './summary';
import { withheldChanges, withheldOutcome } from './withheld';

/*
 * THE notification: one typed document, built once from the plan document,
 * the step outcomes and the finding, from which both renderings are made
 * (the email text, lambda/notify/message.ts; the chat JSON,
 * lambda/notify/chat.ts), so the two never say different things. Values
 * here are raw: whatever came from the finding or a resource is escaped by
 * each rendering for its own medium (lambda/text/).
 */

export const OUTCOMES = [
  'MORE EXPOSED THAN BEFORE',
  // A move sent before the checks could be neither finished nor undone: the resource was closed instead (the isolation group),
  // and no read saw the groups it had (lambda/plan/exposed.ts LEFT_CLOSED_OWN_STATE_UNKNOWN): a person must put it back.
  'ISOLATED - OWN GROUPS UNKNOWN',
  // A blocked response found an interface on the allow-all group (an earlier attempt stopped halfway) and left it there: a dry-run,
  // a delivery that may not hold the incident or is not confirmed, an excluded account (lambda/plan/exposed.ts leftOnAllowAllBy).
  'ON THE ALLOW-ALL GROUP - NOT CHANGED',
  // A change sent before the checks answered (contain-instance's early move), then undone because one said stop.
  'MOVED THEN PUT BACK - NOT CONTAINED',
  'BRAKE ON - NOT CONTAINED',
  'EXEMPT - NOT CONTAINED',
  // Root, an Identity Center role, ...: a person must act (lambda/guards/manual-response.ts).
  'MANUAL ACTION REQUIRED',
  // The principal of the caller's name is not shown to be the caller (lambda/guards/acting-principal.ts): a person must find and revoke the caller.
  'NOT THE CALLER - MANUAL ACTION REQUIRED',
  'PLAN ONLY',
  'AWAITING APPROVAL',
  // The changes that needed a person's decision were not made (lambda/notify/withheld.ts): why, and whether any other
  // change of a class the policy governs was made (PARTLY) or none (NOT). Never DONE because evidence steps ran.
  'DENIED - NOT CONTAINED',
  'DENIED - PARTLY CONTAINED',
  'STOOD DOWN - NOT CONTAINED',
  'STOOD DOWN - PARTLY CONTAINED',
  'POLICY SAYS NEVER - NOT CONTAINED',
  'POLICY SAYS NEVER - PARTLY CONTAINED',
  'NEEDS APPROVAL - NOT CONTAINED',
  'NEEDS APPROVAL - PARTLY CONTAINED',
  // A change was made but a step says it does not contain (quarantine-object: a tag the bucket policy does not honour).
  'DONE - NOT CONTAINED',
  'PARTIAL',
  'DONE',
  'NO ACTION',
] as const;
/** Or the phases before the plan that ran out of time (lambda/plan/pre-plan-budget.ts): "OUT OF TIME assume-role". */
export type Outcome = (typeof OUTCOMES)[number] | `OUT OF TIME ${string}`;

export interface StepLine {
  readonly status: StepOutcome['status'];
  readonly title: string;
  readonly action: string;
  readonly target: string;
  /** The error (failed), the reason (skipped) or the detail (done). */
  readonly note?: string;
}

export interface NotificationDocument {
  readonly outcome: Outcome;
  readonly severity: Severity;
  readonly playbook: PlanDocument['playbook'];
  readonly findingType: string;
  readonly findingId: string;
  readonly incidentId: string;
  readonly account: {
    readonly id: string | null;
    /** The configuration's name of the account, else its IAM alias (lambda/notify/account-alias.ts). */
    readonly alias?: string;
    /** The configured name; else the IAM alias with the id beside it, "prod-web (222222222222)"; else the id, else "unknown account". */
    readonly shown: string;
  };
  readonly region: string | null;
  readonly resource?: PrimaryResource;
  /** One line: what happened to what, where, and the step counts. */
  readonly summary: string;
  /** What people must not miss (left more exposed, the brake, an exemption), on its own first. */
  readonly lead?: string;
  readonly finding: FindingFacts;
  readonly resources: readonly ResourceSection[];
  readonly route: PlanDocument['route'];
  readonly confirmation?: string;
  /** Blocking guards: the plan was not executed because of these. */
  readonly blocked: readonly { readonly id: string; readonly reason: string }[];
  /** What changed, in plain words, with real ids (never the plan's placeholders). */
  readonly changes: readonly string[];
  /** Every step, in plan order. */
  readonly steps: readonly StepLine[];
  readonly failedReads: readonly StepLine[];
  /** What the investigation steps found (read-only). */
  readonly investigation: readonly string[];
  readonly couldNotDo: readonly string[];
  readonly nextSteps: readonly string[];
  readonly links: readonly NotificationLink[];
  readonly warnings: readonly string[];
  /** Names for the subject: what is left more exposed, and the changes that failed (step ids up to their target). */
  readonly exposed: readonly string[];
  readonly failedChanges: readonly string[];
  readonly counts: { readonly done: number; readonly skipped: number; readonly failed: number };
  /** A response waiting for a decision: the plan hash the decision binds to, and the email's signed links when made. */
  readonly approvalRequest?: { readonly planHash: string; readonly links?: ApprovalLinks };
}

export interface NotificationContext {
  /** The signed approve and deny links of a waiting response (lambda/approval/wait-links.ts). */
  readonly approvalLinks?: ApprovalLinks;
  /** The finding as parsed; absent when only a report is at hand (an undelivered notification rebuilt from it). */
  readonly finding?: Finding;
  /** The account's name from the configuration (accountNames), shown instead of its id. */
  readonly accountAlias?: string;
  /**
   * The account's IAM alias (lambda/notify/account-alias.ts), checked but the
   * member account's own text: shown beside the id, never instead; the
   * configured name wins over it.
   */
  readonly iamAlias?: string;
  /** The alias read, when one was made: a failure is listed with the other failed reads. */
  readonly aliasRead?: StepOutcome;
}

/** How the account is named (shared with the short notes, lambda/notify/note.ts). */
export function accountOf(doc: Pick<PlanDocument, 'accountId'>, context: NotificationContext): NotificationDocument['account'] {
  const id = doc.accountId;
  if (context.accountAlias) return { id, alias: context.accountAlias, shown: context.accountAlias };
  if (context.iamAlias && id) return { id, alias: context.iamAlias, shown: `${context.iamAlias} (${id})` };
  return { id, shown: id ?? 'unknown account' };
}

/** Ids of the steps that publish the notification itself (publish-step.ts, which imports this module): never part of what it reports. */
export const NOTIFICATION_STEP_IDS: ReadonlySet<string> = new Set(['notify', 'notify-chat']);

function outcomeOf(doc: PlanDocument, outcomes: readonly StepOutcome[], exposed: readonly string[]): Outcome {
  if (exposed.length > 0) return 'MORE EXPOSED THAN BEFORE';
  if (leftClosedBy(outcomes).length > 0) return 'ISOLATED - OWN GROUPS UNKNOWN';
  if (leftOnAllowAllBy(outcomes).length > 0) return 'ON THE ALLOW-ALL GROUP - NOT CHANGED';
  // Blocked, yet a change sent before the guards were settled (PlannedStep.earlyChange) is done: it was undone, or is named exposed above.
  // The brake first: it is what the team must act on (release it, or contain by hand); any early move it undid is in "What changed".
  if (doc.blockedBy.includes(BLAST_RADIUS_BRAKE)) return 'BRAKE ON - NOT CONTAINED';
  if (doc.blockedBy.length > 0 && outcomes.some((o) => o.earlyChange && o.mutating && o.status === 'done')) return 'MOVED THEN PUT BACK - NOT CONTAINED';
  if (doc.blockedBy.some((id) => EXEMPTION_VERDICTS.includes(id))) return 'EXEMPT - NOT CONTAINED';
  // Which phase ran out of time before any change (lambda/plan/pre-plan-budget.ts): the invocation fails and is retried.
  const late = phasesOutOfTime(doc.blockedBy);
  if (late.length > 0) return `OUT OF TIME ${late.join(' ')}`;
  // Root, an Identity Center role, ...: nothing will ever be automated, a person must act (the warnings say how).
  if (doc.blockedBy.some((id) => ACTING_PRINCIPAL_VERDICTS.includes(id))) return 'NOT THE CALLER - MANUAL ACTION REQUIRED';
  if (doc.blockedBy.includes(MANUAL_RESPONSE)) return 'MANUAL ACTION REQUIRED';
  if (doc.blockedBy.length > 0) return 'PLAN ONLY';
  // Changes that wait for a person's decision (lambda/respond/wait.ts): someone must decide, before anything else.
  if (doc.approval?.status === 'awaiting' || doc.approval?.status === 'asked-again') return 'AWAITING APPROVAL';
  // Changes that needed a decision and were not made (denied, stood down, refused by the policy since, or a run that could not wait):
  // said as such, whatever the evidence steps did.
  const withheld = withheldOutcome(doc, outcomes);
  if (withheld) return withheld;
  // Held by the policy with no approval state (lambda/approval/held.ts): someone must decide.
  if (awaitingApproval(outcomes).length > 0) return 'AWAITING APPROVAL';
  // A step whose change was made but has no effect says so in its evidence (contained: false): never said DONE.
  if (outcomes.some((o) => o.status === 'done' && o.evidence?.contained === false)) return 'DONE - NOT CONTAINED';
  if (outcomes.some((o) => o.status === 'failed')) return 'PARTIAL';
  // A note on the finding in Security Hub (or its archive) changes nothing in the account: a response that made only those took no action.
  return outcomes.some((o) => o.mutating && !isCloseLoopStep(o.id)) ? 'DONE' : 'NO ACTION';
}

/** The steps the approval policy holds for a person's decision. */
function awaitingApproval(outcomes: readonly StepOutcome[]): StepOutcome[] {
  return outcomes.filter((o) => o.status === 'skipped' && isAwaitingApproval(o.reason));
}

function leadOf(doc: PlanDocument, exposed: readonly string[], outcomes: readonly StepOutcome[]): string | undefined {
  if (exposed.length > 0) {
    return (
      `MORE EXPOSED THAN BEFORE: ${exposed.join(', ')} could be neither isolated nor returned to their own security groups, and may be on the ` +
      'allow-all untrack group (all traffic from and to anywhere). The invocation fails so that it is retried; move them by hand now if it is not.'
    );
  }
  const closed = leftClosedBy(outcomes);
  const closedLeftOpen = closed.filter((target) => outcomes.some((o) => o.target === target && o.closesLeftOpen));
  if (closedLeftOpen.length > 0) {
    return (
      `ISOLATED - OWN GROUPS UNKNOWN: ${closedLeftOpen.join(', ')} was found on the allow-all untrack group, where an earlier attempt stopped halfway, ` +
      'and this response, blocked, moved it to the isolation group (closed), not back to its own security groups: a delivery that acts may take ' +
      'a blocked response\'s claim over and be isolating it. Release it with ir release once checked (it restores the groups the ledger recorded; ' +
      'with no record, set them by hand). The invocation fails so that it is retried.'
    );
  }
  const onAllowAll = leftOnAllowAllBy(outcomes);
  if (onAllowAll.length > 0) {
    return (
      `ON THE ALLOW-ALL GROUP: ${onAllowAll.join(', ')} is on the allow-all untrack group (all traffic from and to anywhere), where an earlier attempt ` +
      'stopped halfway, and this response did not move it (its step says why: a dry-run, another delivery holds or answered the incident, the ' +
      'finding is not confirmed, or the account is excluded). If no response closes it within minutes, move it by hand now.'
    );
  }
  if (closed.length > 0 && holderUnknown(doc.blockedBy)) {
    return (
      `ISOLATED - NOT PUT BACK: ${closed.join(', ')} was moved beside the incident's claim, which could not be written or answered, so whether ` +
      'another delivery holds the incident (and relies on this isolation) is not known: it was left on the isolation group (closed), not put back. ' +
      'The groups it had before the move are named in the failed step. The invocation fails so that it is retried; release it with those groups once checked.'
    );
  }
  if (closed.length > 0) {
    return (
      `ISOLATED - OWN GROUPS UNKNOWN: ${closed.join(', ')} was moved before the checks answered and could not be put back on its own security groups ` +
      '(no read made before the move saw them), so it was moved to the isolation group (closed) instead. The groups the finding lists are in the ' +
      'failed step and in the function\'s log, UNVERIFIED (a finding can be forged): release it by hand once you have checked them. The invocation fails so that it is retried.'
    );
  }
  const brake = doc.guards.find((g) => g.id === BLAST_RADIUS_BRAKE && g.blocks);
  if (brake) return `BLAST-RADIUS BRAKE IS ON: this ${doc.playbook} response was planned but NOT executed. ${brake.reason}`;
  const exemption = doc.guards.find((g) => EXEMPTION_VERDICTS.includes(g.id) && g.blocks);
  if (exemption) return `EXEMPT: this ${doc.playbook} response was planned but NOT executed. ${exemption.reason}`;
  const late = doc.guards.filter((g) => PHASE_OUT_OF_TIME_VERDICTS.has(g.id) && g.blocks);
  if (late.length > 0) return `OUT OF TIME: this ${doc.playbook} response was planned but NOT executed. ${late.map((g) => `${g.id}: ${g.reason}`).join(' ')}`;
  const manual = doc.guards.find((g) => g.id === MANUAL_RESPONSE && g.blocks);
  if (manual) return `MANUAL ACTION REQUIRED: the responder changed nothing and never will for this principal. ${manual.reason} Do the MANUAL steps below now.`;
  if (doc.approval) return approvalLeadOf(doc, doc.approval, outcomes);
  const awaiting = doc.blockedBy.length > 0 ? [] : awaitingApproval(outcomes);
  if (awaiting.length > 0) {
    const rules = [...new Set(awaiting.map((o) => doc.steps.find((s) => s.id === o.id)?.approval?.ruleId ?? 'unknown'))];
    return (
      `AWAITING APPROVAL: the approval policy (rule${rules.length > 1 ? 's' : ''} ${rules.join(', ')}) holds ${awaiting.length} change${awaiting.length > 1 ? 's' : ''} ` +
      `of this ${doc.playbook} response for a person's decision: they were NOT made (${awaiting.map((o) => o.id).join(', ')}). Every other step ran.`
    );
  }
  return undefined;
}

/** What became of the changes that need a person's decision: said first, with the plan hash the decision binds to. */
function approvalLeadOf(doc: PlanDocument, approval: NonNullable<PlanDocument['approval']>, outcomes: readonly StepOutcome[]): string {
  const steps = approval.steps.join(', ');
  const plan = `plan ${approval.planHash}`;
  const by = approval.decision ? ` by ${approval.decision.by} (${approval.decision.channel}, ${approval.decision.at})${approval.decision.reason ? `: ${approval.decision.reason}` : ''}` : '';
  switch (approval.status) {
    case 'awaiting':
      return `AWAITING APPROVAL: ${steps} wait for a decision on ${plan} until ${approval.deadline ?? '(no deadline)'}; then: ${approval.onTimeout === 'act' ? 'act' : 'stand down'}. Approve or deny: ir approve / ir deny, or the link.`;
    case 'asked-again':
      return `AWAITING APPROVAL AGAIN: the resource changed since the approval, and the new plan adds or widens a change (${approval.detail ?? ''}): nothing was done; decide on ${plan} until ${approval.deadline ?? '(no deadline)'}.`;
    case 'approved':
      return actedLeadOf(doc, approval, outcomes, `APPROVED${by}`);
    case 'timed-out-acted':
      return actedLeadOf(doc, approval, outcomes, `NO DECISION BY ${approval.deadline ?? 'the deadline'}: as configured, the responder acted`);
    case 'denied':
      return `DENIED${by}: ${steps} were not run (${plan}).`;
    case 'timed-out-stood-down':
      return `NO DECISION BY ${approval.deadline ?? 'the deadline'}: as configured, the responder stood down; ${steps} were not run (${plan}).`;
    case 'cannot-wait':
      return `NOT RUN, NEEDS APPROVAL: the steps ${steps} need a person's decision, and this run cannot wait for one (${approval.detail ?? ''}).`;
  }
}

/**
 * The lead of a response that was to act on the decided changes (approved, or no decision and onTimeout act): what
 * ran, and what did not and why. A guard that blocked the resumed act (the finding archived, confirmation unavailable,
 * a protected principal, ...) ran none of them: "but NOT RUN", never "ran".
 */
function actedLeadOf(doc: PlanDocument, approval: NonNullable<PlanDocument['approval']>, outcomes: readonly StepOutcome[], head: string): string {
  const plan = `plan ${approval.planHash}`;
  const except = approval.detail ? ` (${approval.detail})` : '';
  const blocking = doc.guards.filter((g) => g.blocks);
  if (blocking.length > 0) {
    return `${head}, but NOT RUN: ${blocking.map((g) => `${g.id}: ${g.reason}`).join('; ')}. None of ${approval.steps.join(', ')} was made (${plan})${except}.`;
  }
  // A decided change that failed did not run. (A skipped one was already in place, needs no rollback, or was refused by
  // the policy since, which approval.detail tells: its step line says which.)
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const notRun = approval.steps.filter((id) => byId.get(id)?.status === 'failed');
  if (notRun.length === 0) return `${head}: ${approval.steps.join(', ')} ran on ${plan}, after the resource was read again${approval.detail ? `, except: ${approval.detail}` : ''}.`;
  const ran = approval.steps.filter((id) => byId.get(id)?.status === 'done');
  const why = (id: string): string => `${id} (${byId.get(id)?.error?.code ?? 'UnknownError'}: ${byId.get(id)?.error?.message ?? ''})`;
  const ranText = ran.length > 0 ? `${ran.join(', ')} ran on ${plan}, after the resource was read again` : `none of the decided changes of ${plan} ran`;
  return `${head}, but NOT ALL RUN: ${ranText}; FAILED: ${notRun.map(why).join(', ')}${except}.`;
}

/** Outcomes in the order of the plan (they arrive in the order steps finished), the notification's own steps left out. */
function inPlanOrder(doc: PlanDocument, outcomes: readonly StepOutcome[]): StepOutcome[] {
  const order = new Map(doc.steps.map((s, index) => [s.id, index]));
  return outcomes
    .filter((o) => !NOTIFICATION_STEP_IDS.has(o.id))
    .map((o, index) => ({ o, index }))
    .sort((a, b) => (order.get(a.o.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.o.id) ?? Number.MAX_SAFE_INTEGER) || a.index - b.index)
    .map(({ o }) => o);
}

function stepLine(o: StepOutcome, resolve: (text: string) => string): StepLine {
  const note = o.status === 'failed' ? `${o.error?.code ?? 'UnknownError'}: ${o.error?.message ?? ''}` : o.status === 'skipped' ? o.reason : o.detail;
  return { status: o.status, title: resolve(o.title), action: o.action, target: resolve(o.target), ...(note ? { note: resolve(note) } : {}) };
}

/** A primary resource from the report alone (no finding at hand): the instance or the user the playbook read. */
export function resourceFromReport(doc: Pick<PlanDocument, 'resource'>): PrimaryResource | undefined {
  const { instanceId, userName, roleName } = doc.resource;
  if (typeof instanceId === 'string') return { kind: 'Instance', id: instanceId, label: instanceId, trail: { attribute: 'ResourceName', value: instanceId } };
  if (typeof userName === 'string') return { kind: 'IAMUser', id: userName, label: `user ${userName}`, trail: { attribute: 'Username', value: userName } };
  if (typeof roleName === 'string') return { kind: 'IAMRole', id: roleName, label: `role ${roleName}` };
  return undefined;
}

function accessKeyOf(finding: Finding | undefined): { accessKeyId?: string } {
  const key = finding?.resource?.accessKeyDetails?.accessKeyId;
  return key ? { accessKeyId: key } : {};
}

/** The console links of a finding: GuardDuty's page of it, the resource's page, its CloudTrail events (shared with the short notes). */
export function linksOf(doc: Pick<PlanDocument, 'region' | 'findingId'>, finding: Finding | undefined, resource: PrimaryResource | undefined): NotificationLink[] {
  if (!doc.region) return [];
  const at = { partition: finding?.partition ?? 'aws', region: doc.region };
  const page = resource ? resourceUrl(at, resource.kind, resource.id) : undefined;
  return [
    { label: 'GuardDuty finding', url: guardDutyFindingUrl(at, doc.findingId) },
    ...(resource && page ? [{ label: `Console page of ${resource.label}`, url: page }] : []),
    ...(resource?.trail ? [{ label: `CloudTrail events of ${resource.trail.value}`, url: cloudTrailEventsUrl(at, resource.trail) }] : []),
  ];
}

/**
 * The plan document as the notification must tell it: a response "awaiting" a decision whose request was not written
 * (the ledger refused it, its schedules could not be written, another plan's request stands, a dry run) waits for
 * nothing, has no deadline, and takes no decision: it is told as a run that could not wait, never AWAITING APPROVAL, and
 * carries no approve/deny links or buttons.
 */
export function withRequestOutcome(doc: PlanDocument, outcomes: readonly StepOutcome[]): PlanDocument {
  const { approval } = doc;
  if (approval?.status !== 'awaiting' && approval?.status !== 'asked-again') return doc;
  const request = outcomes.find((o) => o.id === APPROVAL_REQUEST_STEP_ID);
  if (request?.status === 'done') return doc;
  const why = request?.status === 'failed' ? `${request.error?.code ?? 'UnknownError'}: ${request.error?.message ?? ''}` : request?.status === 'skipped' ? request.reason : 'the request step did not run';
  const { deadline: _deadline, onTimeout: _onTimeout, ...rest } = approval;
  return {
    ...doc,
    approval: {
      ...rest,
      status: 'cannot-wait',
      detail: `the request for a decision was not recorded (${why}): nothing waits, no deadline is set, and no approval can be given; a new delivery of the finding asks again`,
    },
  };
}

/** The held steps of a request that was not recorded: their "until <deadline>" named a wait that does not exist. */
function withoutDeadline(outcomes: readonly StepOutcome[], deadline: string | undefined): StepOutcome[] {
  const until = deadline ? `, until ${deadline}` : undefined;
  return outcomes.map((o) =>
    o.status === 'skipped' && until && o.reason?.endsWith(until) && isAwaitingApproval(o.reason)
      ? { ...o, reason: `${o.reason.slice(0, -until.length)}: NOT requested (the request for a decision was not recorded), nothing waits` }
      : o,
  );
}

export function buildNotificationDocument(planDoc: PlanDocument, allOutcomes: readonly StepOutcome[], context: NotificationContext = {}): NotificationDocument {
  const { finding } = context;
  const doc = withRequestOutcome(planDoc, inPlanOrder(planDoc, allOutcomes));
  const outcomes = doc === planDoc ? inPlanOrder(planDoc, allOutcomes) : withoutDeadline(inPlanOrder(planDoc, allOutcomes), planDoc.approval?.deadline);
  const exposed = exposedBy(outcomes);
  const resolve = resolvePlaceholders(outcomes);
  const resource = finding ? (primaryResourceOf(finding) ?? resourceFromReport(doc)) : resourceFromReport(doc);
  const account = accountOf(doc, context);
  // The alias read may settle after the document was assembled: its failure is reported here all the same.
  const reads = context.aliasRead && !doc.reads.includes(context.aliasRead) ? [...doc.reads, context.aliasRead] : doc.reads;
  const counts = {
    done: outcomes.filter((o) => o.status === 'done').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
  };
  const confirmation = confirmationVerdict(doc.guards);
  const blocked = doc.guards.filter((g) => g.blocks).map((g) => ({ id: g.id, reason: g.reason }));
  const lead = leadOf(doc, exposed, outcomes);
  const base = {
    outcome: outcomeOf(doc, outcomes, exposed),
    severity: severityOf(doc.severity),
    playbook: doc.playbook,
    findingType: doc.findingType,
    findingId: doc.findingId,
    incidentId: doc.incidentId,
    account,
    region: doc.region,
    ...(resource ? { resource } : {}),
  };
  return {
    ...base,
    summary: summaryOf({ ...base, blocked, counts, withheld: withheldChanges(doc, outcomes) }, outcomes),
    ...(lead ? { lead } : {}),
    finding: finding ? findingFactsOf(finding) : { facts: [] },
    resources: finding ? resourceSections(finding, sequenceAnswersOf(doc, outcomes)) : [],
    route: doc.route,
    ...(confirmation ? { confirmation: confirmation.reason } : {}),
    blocked,
    changes: changesOf(outcomes, resolve),
    steps: outcomes.map((o) => stepLine(o, resolve)),
    failedReads: reads.filter((r) => r.status === 'failed').map((o) => stepLine(o, resolve)),
    investigation: outcomes.flatMap((o) => (o.evidence ? describeEvidence(o.evidence, 'full') : [])),
    couldNotDo: couldNotDoOf(outcomes, reads, resolve),
    nextSteps: nextStepsOf({ ...base, blocked, exposed, counts, ...accessKeyOf(finding) }, outcomes, resolve),
    links: linksOf(doc, finding, resource),
    warnings: doc.warnings,
    exposed,
    failedChanges: [...new Set(outcomes.filter((o) => o.status === 'failed' && o.mutating).map((o) => o.id.split(':')[0]!))],
    counts,
    ...(doc.approval && (doc.approval.status === 'awaiting' || doc.approval.status === 'asked-again')
      ? { approvalRequest: { planHash: doc.approval.planHash, ...(context.approvalLinks ? { links: context.approvalLinks } : {}) } }
      : {}),
  };
}
