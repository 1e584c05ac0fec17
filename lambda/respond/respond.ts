import type { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import { routingTableFor } from '../config/routing-of';
import type { Finding } from '../finding/schema';
import { blockingGuardIds, evaluateGuards } from '../guards';
import { notificationStep } from '../notify/publish-step';
import { stepDocument, stepReport, summarize, type PlanDocument, type Report } from '../plan/document';
import { executePlan } from '../plan/executor';
import { ReadLog } from '../plan/reads';
import type { PlannedStep } from '../plan/types';
import { PLAYBOOKS } from '../playbooks/registry';
import type { ResponderIdentity } from '../playbooks/types';
import { routeFinding } from '../routing/route';
import { incidentIdOf } from './incident-id';

/*
 * The one path from a finding to a report, shared by the Lambda handlers and
 * the `ir` CLI: route, read, guard, plan, then (unless only planning)
 * execute. Dry-run is this same path with every mutating step blocked.
 */

export interface RespondOptions {
  readonly config: RuntimeConfig;
  /** Clients for the finding's account and region. Absent: plan offline from the finding alone. */
  readonly clients?: AwsClients;
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
}

export async function preparePlan(finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  const now = options.now ?? (() => new Date());
  const route = routeFinding(finding, routingTableFor(options.config));
  const playbook = PLAYBOOKS[route.playbook];
  const reads = new ReadLog();
  const facts = options.clients ? await playbook.discover(finding, options.clients, reads) : playbook.offlineFacts(finding);
  const incidentId = incidentIdOf(finding);
  const planned = playbook.plan({ finding, facts, config: options.config, incidentId, now: now(), responder: options.responder });
  const guards = [
    ...evaluateGuards({
      finding,
      playbook: route.playbook,
      config: options.config,
      dryRun: options.dryRun,
      ...(options.dryRunReason ? { dryRunReason: options.dryRunReason } : {}),
      resourceTags: planned.resourceTags,
    }),
    ...planned.verdicts,
  ];
  const lastStage = Math.max(0, ...planned.steps.map((s) => s.stage));
  // The notification reads the finished document when it runs, after it is built below.
  const steps = [...planned.steps, notificationStep(() => document, options.topicArn, lastStage + 1, options.notificationSns)];
  const document: PlanDocument = {
    playbook: route.playbook,
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    incidentId,
    dryRun: options.dryRun,
    offline: options.clients === undefined,
    route: { ruleId: route.ruleId, why: route.why },
    blockedBy: blockingGuardIds(guards),
    guards,
    warnings: planned.warnings,
    resource: planned.resource,
    reads: reads.outcomes,
    steps: steps.map(stepDocument),
  };
  return { document, steps };
}

export async function executePrepared(prepared: PreparedPlan, clients: AwsClients, now: () => Date = () => new Date()): Promise<Report> {
  const startedAt = now().toISOString();
  const outcomes = await executePlan(prepared.steps, { clients, outputs: new Map(), outcomes: [], now }, {
    blockedBy: prepared.document.blockedBy,
  });
  const steps = prepared.document.steps.map((step, index) => stepReport(step, outcomes[index]!));
  return { ...prepared.document, steps, summary: summarize(outcomes), startedAt, finishedAt: now().toISOString() };
}

export async function respond(finding: Finding, options: RespondOptions & { readonly clients: AwsClients }): Promise<Report> {
  const prepared = await preparePlan(finding, options);
  return executePrepared(prepared, options.clients, options.now);
}
