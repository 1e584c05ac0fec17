import type { SNSClient } from '@aws-sdk/client-sns';
import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import { routingTableFor } from '../config/routing-of';
import type { Finding } from '../finding/schema';
import { blockingGuardIds, evaluateGuards } from '../guards';
import type { GuardVerdict } from '../guards/types';
import { notificationStep } from '../notify/publish-step';
import { stepDocument, stepReport, summarize, type PlanDocument, type Report } from '../plan/document';
import { executePlan } from '../plan/executor';
import { ReadLog } from '../plan/reads';
import type { PlannedStep, StepOutcome } from '../plan/types';
import { PLAYBOOKS } from '../playbooks/registry';
import type { AnyPlaybook, FirstSteps, PlanningInput, PlaybookPlan, ResponderIdentity } from '../playbooks/types';
import type { PlaybookName } from '../routing/playbook-names';
import { routeFinding } from '../routing/route';
import { reachFindingAccount } from './finding-account';
import { incidentIdOf } from './incident-id';

/*
 * The one path from a finding to a report, shared by the Lambda handlers and
 * the `ir` CLI: route, reach the finding's account, read, guard, plan, then
 * (unless only planning) execute. Dry-run is this same path with every
 * mutating step blocked.
 */

export interface RespondOptions {
  readonly config: RuntimeConfig;
  /** Clients for the finding's account and region. Absent (and no `access`): plan offline from the finding alone. */
  readonly clients?: AwsClients;
  /**
   * Reaches the finding's account itself, instead of `clients`: the
   * responder's own account as is, any other through its member role
   * (finding-account.ts). The notification is published from the home account.
   */
  readonly access?: AccountAccess;
  /** With `access`: the region of a finding that names none. */
  readonly defaultRegion?: string;
  /** No mutating call is made when true. */
  readonly dryRun: boolean;
  readonly dryRunReason?: string;
  readonly topicArn?: string;
  /** SNS client for the topic's account, when the playbook acts in another account. Defaults to `clients.sns`. */
  readonly notificationSns?: SNSClient;
  readonly responder: ResponderIdentity;
  readonly now?: () => Date;
}

export interface PreparedPlan {
  readonly document: PlanDocument;
  readonly steps: readonly PlannedStep[];
  /** What the plan executes with, when `access` chose it. */
  readonly clients?: AwsClients;
}

interface Reached {
  readonly clients: AwsClients | undefined;
  readonly executionClients?: AwsClients;
  readonly reads: readonly StepOutcome[];
  readonly verdicts: readonly GuardVerdict[];
  readonly notificationSns?: SNSClient;
}

async function reach(finding: Finding, playbook: PlaybookName, options: RespondOptions): Promise<Reached> {
  if (!options.access) return { clients: options.clients, reads: [], verdicts: [], notificationSns: options.notificationSns };
  const region = finding.region ?? options.defaultRegion;
  if (!region) throw new Error(`finding ${finding.id} names no region and no default region is set`);
  return reachFindingAccount({ finding, playbook, config: options.config, access: options.access, region, topicArn: options.topicArn });
}

interface Begun {
  readonly route: ReturnType<typeof routeFinding>;
  readonly playbook: AnyPlaybook;
  readonly account: Reached;
  readonly reads: ReadLog;
  readonly incidentId: string;
  readonly planning: Omit<PlanningInput<unknown>, 'facts'>;
}

async function begin(finding: Finding, options: RespondOptions): Promise<Begun> {
  const now = options.now ?? (() => new Date());
  const route = routeFinding(finding, routingTableFor(options.config));
  const account = await reach(finding, route.playbook, options);
  const incidentId = incidentIdOf(finding);
  // The member role is the responder's own in every member account: never revoked.
  const responder = { protectedRoleNames: [...new Set([...options.responder.protectedRoleNames, options.config.memberRoleName])] };
  const planning = { finding, config: options.config, incidentId, now: now(), responder };
  return { route, playbook: PLAYBOOKS[route.playbook], account, reads: new ReadLog(), incidentId, planning };
}

function guardsOf(begun: Begun, options: RespondOptions, resourceTags: Readonly<Record<string, string>>, verdicts: readonly GuardVerdict[]): GuardVerdict[] {
  return [
    ...evaluateGuards({
      finding: begun.planning.finding,
      playbook: begun.route.playbook,
      config: options.config,
      dryRun: options.dryRun,
      ...(options.dryRunReason ? { dryRunReason: options.dryRunReason } : {}),
      resourceTags,
    }),
    ...begun.account.verdicts,
    ...verdicts,
  ];
}

function prepared(begun: Begun, options: RespondOptions, planned: PlaybookPlan, guards: GuardVerdict[]): PreparedPlan {
  const { finding } = begun.planning;
  const lastStage = Math.max(0, ...planned.steps.map((s) => s.stage));
  // The notification reads the finished document when it runs, after it is built below.
  const steps = [...planned.steps, notificationStep(() => document, options.topicArn, lastStage + 1, begun.account.notificationSns)];
  const document: PlanDocument = {
    playbook: begun.route.playbook,
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    incidentId: begun.incidentId,
    dryRun: options.dryRun,
    offline: begun.account.clients === undefined,
    route: { ruleId: begun.route.ruleId, why: begun.route.why },
    blockedBy: blockingGuardIds(guards),
    guards,
    warnings: planned.warnings,
    resource: planned.resource,
    reads: [...begun.account.reads, ...begun.reads.outcomes],
    steps: steps.map(stepDocument),
  };
  return { document, steps, ...(begun.account.executionClients ? { clients: begun.account.executionClients } : {}) };
}

export async function preparePlan(finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  const begun = await begin(finding, options);
  const { clients } = begun.account;
  const facts = clients ? await begun.playbook.discover(finding, clients, begun.reads) : begun.playbook.offlineFacts(finding);
  const planned = begun.playbook.plan({ ...begun.planning, facts });
  return prepared(begun, options, planned, guardsOf(begun, options, planned.resourceTags, planned.verdicts));
}

function report(plan: PreparedPlan, outcomes: readonly StepOutcome[], startedAt: string, now: () => Date): Report {
  const steps = plan.document.steps.map((step, index) => stepReport(step, outcomes[index]!));
  return { ...plan.document, steps, summary: summarize(outcomes), startedAt, finishedAt: now().toISOString() };
}

export async function executePrepared(prepared: PreparedPlan, clients: AwsClients, now: () => Date = () => new Date()): Promise<Report> {
  const startedAt = now().toISOString();
  const outcomes = await executePlan(prepared.steps, { clients, outputs: new Map(), outcomes: [], now }, {
    blockedBy: prepared.document.blockedBy,
  });
  return report(prepared, outcomes, startedAt, now);
}

/*
 * For a playbook with staged discovery (contain-instance): its first steps
 * (isolation) run as soon as the reads they need are in, under the guards
 * decided from those same reads, while the other reads go on. The rest of
 * the plan comes from every read, begins with exactly the steps already
 * running (checked: else nothing more runs), and runs after them with the
 * same guards. Dry-run is this same path with every mutating step blocked.
 */
async function respondStaged(begun: Begun, options: RespondOptions, clients: AwsClients, executionClients: AwsClients): Promise<Report> {
  const now = options.now ?? (() => new Date());
  const staged = begun.playbook.discoverStaged!(begun.planning.finding, clients, begun.reads);
  const first = await staged.first;
  const guards = guardsOf(begun, options, first.resourceTags, first.verdicts);
  const blockedBy = blockingGuardIds(guards);
  const ctx = { clients: executionClients, outputs: new Map<string, unknown>(), outcomes: [], now };
  const startedAt = now().toISOString();
  const firstRun = executePlan(first.steps, ctx, { blockedBy });
  const planned = begun.playbook.plan({ ...begun.planning, facts: await staged.all });
  const firstOutcomes = await firstRun;
  assertSamePlan(planned, first);
  const plan = prepared(begun, options, planned, guards);
  const rest = await executePlan(plan.steps.slice(first.steps.length), ctx, { blockedBy });
  return report(plan, [...firstOutcomes, ...rest], startedAt, now);
}

/** The whole plan must begin with the steps that already ran, with the same verdicts and tags: else the report would show another plan. */
function assertSamePlan(planned: PlaybookPlan, first: FirstSteps): void {
  const head = JSON.stringify(planned.steps.slice(0, first.steps.length).map(stepDocument));
  const same =
    head === JSON.stringify(first.steps.map(stepDocument)) &&
    JSON.stringify(planned.verdicts) === JSON.stringify(first.verdicts) &&
    JSON.stringify(planned.resourceTags) === JSON.stringify(first.resourceTags);
  if (!same) throw new Error(`playbook plan does not begin with the ${first.steps.length} steps it ran first: staged discovery is inconsistent`);
}

/** Runs the whole path. Needs a way to the finding's account: `clients`, or `access`. */
export async function respond(
  finding: Finding,
  options: RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess }),
): Promise<Report> {
  const begun = await begin(finding, options);
  const executionClients = begun.account.executionClients ?? options.clients;
  if (!executionClients) throw new Error('respond needs clients or access');
  const readClients = begun.account.clients;
  if (readClients && begun.playbook.discoverStaged) return respondStaged(begun, options, readClients, executionClients);
  const facts = readClients ? await begun.playbook.discover(finding, readClients, begun.reads) : begun.playbook.offlineFacts(finding);
  const planned = begun.playbook.plan({ ...begun.planning, facts });
  return executePrepared(prepared(begun, options, planned, guardsOf(begun, options, planned.resourceTags, planned.verdicts)), executionClients, options.now);
}
