import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import { routingTableFor } from '../config/routing-of';
import type { EvidenceBucket, EvidenceDestination } from '../evidence/destination';
import { consoleOutputInstance } from '../evidence/sources';
import { evidenceSteps } from '../evidence/steps';
import { isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { blockingGuardIds, evaluateGuards } from '../guards';
import type { GuardVerdict } from '../guards/types';
import { notificationStep } from '../notify/publish-step';
import { stepDocument, stepReport, summarize, type PlanDocument, type Report } from '../plan/document';
import { executePlan } from '../plan/executor';
import { ReadLog } from '../plan/reads';
import type { PlannedStep, StepOutcome } from '../plan/types';
import { PLAYBOOKS } from '../playbooks/registry';
import type { ResponderIdentity } from '../playbooks/types';
import type { PlaybookName } from '../routing/playbook-names';
import { routeFinding } from '../routing/route';
import { toStepError } from '../aws/errors';
import { findingInstanceTags } from '../finding/accessors';
import { reachFindingAccount } from './finding-account';
import { ResponseGate, type LedgerOptions, type SettledGate } from './gate';
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
  /** Set when nobody is to be notified (the daily heartbeat): the notification step is skipped with this reason. */
  readonly notificationSkipReason?: string;
  /** The security account's evidence bucket. Absent: the plan's one evidence step is skipped, saying so. */
  readonly evidence?: EvidenceBucket;
  /** The bucket's client. Defaults to the home account's (`access`) in the bucket's region, else `clients.s3`. */
  readonly evidenceS3?: S3Client;
  readonly responder: ResponderIdentity;
  readonly now?: () => Date;
  /** No step but the notification starts after this (epoch ms): the Lambda handler's timeout, less what the end of a response needs. */
  readonly deadlineMs?: number;
  /** The incident ledger and the blast-radius brake (lambda/respond/gate.ts). Absent: every delivery is answered in full. */
  readonly ledger?: LedgerOptions;
}

export interface PreparedPlan {
  readonly document: PlanDocument;
  readonly steps: readonly PlannedStep[];
  /** What the plan executes with, when `access` chose it. */
  readonly clients?: AwsClients;
  /** Records the report in the ledger, with the ledger's options. */
  readonly gate?: { readonly settled: SettledGate; readonly table: string; readonly key: string };
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

/** Where this finding's evidence goes, always with the security account's credentials, or why it is not kept. */
function evidenceDestinationOf(finding: Finding, options: RespondOptions): { destination: EvidenceDestination | undefined; skipReason: string } {
  const none = (skipReason: string) => ({ destination: undefined, skipReason });
  if (!options.evidence) return none('no evidence bucket configured (IR_EVIDENCE_BUCKET)');
  // GuardDuty's sample findings (and the heartbeat's) are no incident: a year of locked objects for them would bury the real ones.
  if (isSampleFinding(finding)) return none('sample finding: there is no incident to keep evidence of');
  const region = options.evidence.region ?? options.defaultRegion ?? finding.region;
  const s3 = options.evidenceS3 ?? (options.access && region ? options.access.homeClients(region).s3 : options.clients?.s3);
  if (!s3) return none('no client for the evidence bucket (planned offline)');
  return { destination: { ...options.evidence, s3 }, skipReason: '' };
}

export async function preparePlan(finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  const now = options.now ?? (() => new Date());
  const route = routeFinding(finding, routingTableFor(options.config));
  const playbook = PLAYBOOKS[route.playbook];
  const incidentId = incidentIdOf(finding);
  const guardInput = {
    finding,
    playbook: route.playbook,
    config: options.config,
    dryRun: options.dryRun,
    ...(options.dryRunReason ? { dryRunReason: options.dryRunReason } : {}),
  };
  // Opened first: the claim and the brake reservation run while the account is reached and read.
  const gate = options.ledger
    ? new ResponseGate(options.ledger, {
        finding,
        playbook: route.playbook,
        incidentId,
        reserveEarly: blockingGuardIds(evaluateGuards({ ...guardInput, resourceTags: findingInstanceTags(finding) })).length === 0,
      })
    : undefined;
  const account = await reach(finding, route.playbook, options);
  const reads = new ReadLog();
  const facts = account.clients ? await playbook.discover(finding, account.clients, reads) : playbook.offlineFacts(finding);
  // The member role is the responder's own in every member account: never revoked.
  const responder = { protectedRoleNames: [...new Set([...options.responder.protectedRoleNames, options.config.memberRoleName])] };
  const planned = playbook.plan({ finding, facts, config: options.config, incidentId, now: now(), responder });
  const planGuards = [...evaluateGuards({ ...guardInput, resourceTags: planned.resourceTags }), ...account.verdicts, ...planned.verdicts];
  const settled = await gate?.settle(blockingGuardIds(planGuards).length === 0 && planned.steps.some((s) => s.mutating));
  const guards = [...planGuards, ...(settled?.verdicts ?? [])];
  const lastStage = Math.max(0, ...planned.steps.map((s) => s.stage));
  // The notification reads the finished document when it runs, after it is built below.
  const consoleInstance = consoleOutputInstance(route.playbook, finding);
  const evidence = evidenceSteps({
    ...evidenceDestinationOf(finding, options),
    finding,
    incident: { accountId: finding.accountId ?? null, region: finding.region ?? null, incidentId, findingId: finding.id },
    document: () => document,
    responses: reads.responses,
    ...(consoleInstance
      ? { console: { instanceId: consoleInstance, ...(account.clients ? {} : { unreachable: "the finding's account was not reached: nothing is read there" }) } }
      : {}),
    stage: lastStage + 1,
  });
  // A later delivery of an answered incident runs only its short notification: nothing else is new, evidence included.
  const steps =
    settled?.kind === 'repeat'
      ? [settled.repeatStep(() => document, options.topicArn, account.notificationSns)]
      : [
          ...planned.steps,
          notificationStep(() => document, options.topicArn, lastStage + 1, account.notificationSns, options.notificationSkipReason),
          ...evidence,
        ];
  const document: PlanDocument = {
    playbook: route.playbook,
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    incidentId,
    dryRun: options.dryRun,
    offline: account.clients === undefined,
    route: { ruleId: route.ruleId, why: route.why },
    blockedBy: blockingGuardIds(guards),
    guards,
    warnings: settled?.kind === 'repeat' ? [] : planned.warnings,
    resource: planned.resource,
    reads: [...account.reads, ...reads.outcomes, ...(settled?.reads ?? [])],
    steps: steps.map(stepDocument),
  };
  return {
    document,
    steps,
    ...(account.executionClients ? { clients: account.executionClients } : {}),
    ...(settled && gate && options.ledger ? { gate: { settled, table: options.ledger.ledger.tableName, key: gate.ledgerKey } } : {}),
  };
}

export async function executePrepared(
  prepared: PreparedPlan,
  clients: AwsClients,
  now: () => Date = () => new Date(),
  deadlineMs?: number,
): Promise<Report> {
  const startedAt = now().toISOString();
  const outcomes = await executePlan(prepared.steps, { clients, outputs: new Map(), outcomes: [], now }, {
    blockedBy: prepared.document.blockedBy,
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  });
  const steps = prepared.document.steps.map((step, index) => stepReport(step, outcomes[index]!));
  const report: Report = { ...prepared.document, steps, summary: summarize(outcomes), startedAt, finishedAt: now().toISOString() };
  if (!prepared.gate) return report;
  const { settled, table, key } = prepared.gate;
  try {
    await settled.finish(report, prepared.document);
    return { ...report, ledger: { table, key, recorded: true } };
  } catch (error) {
    // The report still goes back (and to the logs); the handler decides whether the invocation fails.
    return { ...report, ledger: { table, key, recorded: false, error: toStepError(error) } };
  }
}

/** Runs the whole path. Needs a way to the finding's account: `clients`, or `access`. */
export async function respond(
  finding: Finding,
  options: RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess }),
): Promise<Report> {
  const prepared = await preparePlan(finding, options);
  const clients = prepared.clients ?? options.clients;
  if (!clients) throw new Error('respond needs clients or access');
  return executePrepared(prepared, clients, options.now, options.deadlineMs);
}
