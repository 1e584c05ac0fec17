import type { SNSClient } from '@aws-sdk/client-sns';
import { withApprovalPolicy } from '../approval/annotate';
import type { AwsClients } from '../aws/clients';
import { routingTableFor } from '../config/routing-of';
import { isUnconfirmedDelivery } from '../confirm/verdicts';
import { DRY_RUN_VERDICT } from '../ledger/answered';
import { findingInstanceTags } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { blockingGuardIds, evaluateGuards } from '../guards';
import { block, type GuardVerdict } from '../guards/types';
import { LEDGER_UNAVAILABLE } from '../ledger/verdicts';
import { accountNameOf, type AccountName } from '../notify/account-alias';
import { PrePlanBudget, isPhaseTimedOut } from '../plan/pre-plan-budget';
import { ReadLog } from '../plan/reads';
import type { PlannedStep, StepOutcome } from '../plan/types';
import type { AnyPlaybook, PlaybookCatalog, PlanningInput } from '../playbooks/types';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import { routeFinding } from '../routing/route';
import { reachFindingAccount } from './finding-account';
import { ResponseGate, type SettledGate } from './gate';
import { incidentIdOf } from './incident-id';
import { IsolationFirst } from './isolation-first';
import { openIncident, type OpenedIncident } from './open-incident';
import type { RespondOptions } from './options';

/*
 * The start every response shares, planned only or executed: the route, the
 * ledger gate and GuardDuty's confirmation of the finding (both started
 * first, so the claim, the brake reservation and the GetFindings call run
 * while the account is reached and read), the finding's account, and what
 * planning needs besides the facts.
 */

export interface Reached {
  readonly clients: AwsClients | undefined;
  readonly executionClients?: AwsClients;
  readonly reads: readonly StepOutcome[];
  readonly verdicts: readonly GuardVerdict[];
  readonly notificationSns?: SNSClient;
}

export interface Begun {
  readonly route: ReturnType<typeof routeFinding>;
  readonly playbook: AnyPlaybook;
  readonly account: Reached;
  readonly reads: ReadLog;
  /** The confirmation's own reads: reported after the account's, before the playbook's. */
  readonly confirmationReads: ReadLog;
  readonly incidentId: string;
  readonly planning: Omit<PlanningInput<unknown>, 'facts'>;
  readonly gate: ResponseGate | undefined;
  /** GuardDuty's answer on the finding (lambda/confirm/), in flight until the guards are settled; absent for a playbook that never acts. */
  readonly confirmation: Promise<GuardVerdict[]> | undefined;
  /** How long each call before the plan may take (lambda/plan/pre-plan-budget.ts), from the response's one deadline. */
  readonly budget: PrePlanBudget;
  /** The ledger's reads (the claim, the brake): reported even when the gate could not be settled in time. */
  readonly ledgerReads: ReadLog | undefined;
  /** The account's name for the notification (lambda/notify/account-alias.ts): read once the isolation moves are sent, awaited only by the notification. */
  readonly accountName: Promise<AccountName>;
  /** Holds the reads isolation does not wait for until the isolation moves are sent (isolation-first.ts); cleared by the phase `read`. */
  readonly isolationFirst: IsolationFirst;
}

async function reach(finding: Finding, playbook: PlaybookName, options: RespondOptions, budget: PrePlanBudget): Promise<Reached> {
  if (!options.access) return { clients: options.clients, reads: [], verdicts: [], notificationSns: options.notificationSns };
  const region = finding.region ?? options.defaultRegion;
  if (!region) throw new Error(`finding ${finding.id} names no region and no default region is set`);
  return reachFindingAccount({ finding, playbook, config: options.config, access: options.access, region, topicArn: options.topicArn, phase: budget.phase('assume-role') });
}

function guardInputOf(finding: Finding, playbook: PlaybookName, options: RespondOptions) {
  return {
    finding,
    playbook,
    config: options.config,
    dryRun: options.dryRun,
    ...(options.dryRunReason ? { dryRunReason: options.dryRunReason } : {}),
  };
}

/** The phase `route`: which playbook answers the finding, decided before the ledger or any account is touched. */
export interface Routed {
  readonly route: ReturnType<typeof routeFinding>;
  readonly playbook: AnyPlaybook;
}

export function routeResponse(playbooks: PlaybookCatalog, finding: Finding, options: Pick<RespondOptions, 'config'>): Routed {
  const route = routeFinding(finding, routingTableFor(options.config));
  const carried = playbooks[route.playbook];
  // Before the ledger or any account is touched: this code cannot answer the finding.
  if (!carried) throw new Error(`finding ${finding.id} routes to ${route.playbook}, which this code does not carry (it has ${Object.keys(playbooks).join(', ')})`);
  // Its plans carry the approval policy's decision on each change (lambda/approval/): the first steps and the whole plan alike.
  const playbook = withApprovalPolicy(carried, options.config);
  return { route, playbook };
}

/**
 * The response's start as far as discovery needs it: the route, the finding's account reached, GuardDuty's
 * confirmation in flight, the reads' log and the hold on the reads isolation does not wait for. Not the
 * incident: discovery (and the moves sent beside it) never wait for the ledger (openResponse).
 */
export interface ResponseStart {
  readonly route: ReturnType<typeof routeFinding>;
  readonly playbook: AnyPlaybook;
  readonly account: Reached;
  readonly reads: ReadLog;
  readonly confirmation: Promise<GuardVerdict[]> | undefined;
  readonly isolationFirst: IsolationFirst;
  readonly planning: Pick<Begun['planning'], 'finding' | 'config' | 'now' | 'responder'>;
}

/** The account reached, the incident still being opened in the ledger (its pointer and claim in flight). */
export interface AccountReached extends ResponseStart, Omit<Begun, 'incidentId' | 'gate' | 'ledgerReads' | 'planning'> {
  readonly opening: Promise<OpenedIncident | undefined>;
}

/**
 * The phase `reach`, first part: GuardDuty's confirmation and the ledger's incident (its resource's pointer, its
 * claim) started, the finding's account reached. The incident is not awaited here: a resource's pointer is one
 * round trip, and the reads and the moves beside them must not wait for it (openResponse awaits it).
 */
/**
 * `movesEarly`: this response may move the resource beside its claim (lambda/respond/early-move-allowed.ts
 * findingAllowsEarlyMove): the claim it sends says so, and only then has the early claim's grace.
 */
export async function reachAccount(routed: Routed, finding: Finding, options: RespondOptions, movesEarly = false): Promise<AccountReached> {
  const now = options.now ?? (() => new Date());
  const { route, playbook } = routed;
  // Every call before the plan ends at its phase's cut-off, a share of the time before the response's one deadline.
  const budget = PrePlanBudget.starting(Date.now(), options.deadlineMs);
  // Started first, beside the ledger's claim, AssumeRole and the first reads; awaited before the first change (settleGate).
  // On an emulator run, a read moto cannot answer is recorded "not available in the local emulator" (lambda/aws/local-emulator-gaps.ts).
  const readOptions = { localEmulator: options.config.localEmulator };
  const confirmationReads = new ReadLog(budget.phase('confirmation'), readOptions);
  const confirmation = confirm(finding, route.playbook, options, confirmationReads);
  // The incident (the finding's own, or its resource's) and its claim, beside AssumeRole and the first reads: planning needs its id.
  const opening = options.ledger ? openIncident(options.ledger, finding, route.playbook, budget.phase('ledger'), movesEarly) : Promise.resolve(undefined);
  // Awaited by openResponse; a rejection before then is not an unhandled one.
  opening.catch(() => undefined);
  const account = await reach(finding, route.playbook, options, budget);
  // The member role is the responder's own in every member account: never revoked.
  const responder = { protectedRoleNames: [...new Set([...options.responder.protectedRoleNames, options.config.memberRoleName])] };
  const planning = { finding, config: options.config, now: now(), responder };
  const reads = new ReadLog(budget.phase('discovery'), readOptions);
  // After the isolation moves are sent (isolation-first.ts), with the finding's account's clients; bounded, never rejects, and nothing before the notification waits for it.
  // Only where the playbook acts: its clients are then the finding's account's (notify reaches no account, and its role reads no alias).
  const aliasClients = actsInFindingAccount(route.playbook) ? account.clients : undefined;
  const isolationFirst = new IsolationFirst();
  const nameInput = { accountId: finding.accountId, accountNames: options.config.accountNames, clients: aliasClients, localEmulator: options.config.localEmulator, notAfterMs: budget.cutOffOf('discovery') };
  // Held only when it is a call (no name configured, the account reached): a name known without one is known at once.
  const accountName = aliasClients && !(finding.accountId && options.config.accountNames[finding.accountId]) ? isolationFirst.cleared.then(() => accountNameOf(nameInput)) : accountNameOf(nameInput);
  return { route, playbook, account, reads, confirmationReads, planning, confirmation, budget, accountName, isolationFirst, opening };
}

/** The phase `reach`, second part: the incident opened (its id, which planning needs) and the ledger's gate made. */
export async function openResponse(reached: AccountReached, options: RespondOptions): Promise<Begun> {
  const { opening, ...start } = reached;
  const { finding } = start.planning;
  const opened = await opening;
  const incidentId = opened?.incidentId ?? incidentIdOf(finding);
  const gate =
    options.ledger && opened
      ? new ResponseGate(options.ledger, {
          finding,
          playbook: start.route.playbook,
          opened,
          reserveEarly: blockingGuardIds(evaluateGuards({ ...guardInputOf(finding, start.route.playbook, options), resourceTags: findingInstanceTags(finding) })).length === 0,
        })
      : undefined;
  return { ...start, incidentId, planning: { ...start.planning, incidentId }, gate, ledgerReads: opened?.reads };
}

/** The phase `reach`, whole: the account reached and the incident opened. */
export async function reachResponse(routed: Routed, finding: Finding, options: RespondOptions): Promise<Begun> {
  return openResponse(await reachAccount(routed, finding, options), options);
}

/** route then reach: the start every response shares. */
export function begin(playbooks: PlaybookCatalog, finding: Finding, options: RespondOptions): Promise<Begun> {
  return reachResponse(routeResponse(playbooks, finding, options), finding, options);
}

/** Starts GuardDuty's confirmation (lambda/confirm/). An acting playbook run by code that carries none is a packaging error, never a silent skip. */
function confirm(finding: Finding, playbook: PlaybookName, options: RespondOptions, reads: ReadLog): Promise<GuardVerdict[]> | undefined {
  if (!actsInFindingAccount(playbook)) return undefined;
  if (!options.confirmFinding) {
    throw new Error(`finding ${finding.id} routes to ${playbook}, but this code carries no GuardDuty confirmation (RespondOptions.confirmFinding): it must never act unconfirmed`);
  }
  return options.confirmFinding({ finding, playbook, config: options.config, ...homeOf(finding, options), stackRegion: options.stackRegion, reads });
}

/** The security account's clients in the finding's region, which GuardDuty is asked with: the member account's never are. */
function homeOf(finding: Finding, options: RespondOptions): { home: AwsClients | undefined; region: string | undefined } {
  const region = finding.region ?? options.defaultRegion;
  if (!options.access) return { home: options.clients, region };
  return { home: region ? options.access.homeClients(region) : undefined, region };
}

/** Every guard of the response: the finding's, the account's (member role), the playbook's own. */
export function guardsOf(
  begun: { readonly planning: Pick<ResponseStart['planning'], 'finding'>; readonly route: Pick<ResponseStart['route'], 'playbook'>; readonly account: Pick<Reached, 'verdicts'> },
  options: RespondOptions,
  resourceTags: Readonly<Record<string, string>>,
  verdicts: readonly GuardVerdict[],
): GuardVerdict[] {
  return [
    ...evaluateGuards({ ...guardInputOf(begun.planning.finding, begun.route.playbook, options), resourceTags }),
    ...begun.account.verdicts,
    ...verdicts,
  ];
}

/**
 * Waits for GuardDuty's confirmation, then the ledger's claim (and the
 * brake) once the steps are known; adds their verdicts. An unconfirmed
 * finding keeps no containment: the brake slot reserved alongside discovery
 * (when the finding's own guards pass) is counted until now, then given back
 * here, since the gate sees the response would not act. The claim, taken
 * before the confirmation, is told that the delivery was not confirmed: it
 * then writes nothing of the genuine incident (lambda/respond/gate.ts).
 * A pre-plan phase that ran out of its time (lambda/plan/pre-plan-budget.ts)
 * adds a verdict naming it, which blocks every change.
 */
export async function settleGate(
  begun: Begun,
  guards: readonly GuardVerdict[],
  steps: readonly PlannedStep[],
): Promise<{ readonly settled: SettledGate | undefined; readonly guards: GuardVerdict[] }> {
  const withConfirmation = [...guards, ...((await begun.confirmation) ?? []), ...begun.budget.verdicts()];
  const blocking = blockingGuardIds(withConfirmation);
  const changes = steps.some((s) => s.mutating);
  // Confirmed, and only dry-run (if anything) keeps the plan from changing things: it holds the claim against deliveries that will not act.
  const acts = changes && !isUnconfirmedDelivery(blocking) && blocking.every((id) => id === DRY_RUN_VERDICT);
  const { gate } = begun;
  const settled = gate
    ? await begun.budget.settle('Settle the ledger', () => gate.settle(blocking.length === 0 && changes, isUnconfirmedDelivery(blocking), acts)).catch((error: unknown) => {
        if (!isPhaseTimedOut(error)) throw error;
        return ledgerOutOfTime(begun, error);
      })
    : undefined;
  // The ledger's phase may have run out while the gate was settled.
  const late = begun.budget.verdicts().filter((v) => !withConfirmation.some((g) => g.id === v.id));
  return { settled, guards: [...withConfirmation, ...(settled?.verdicts ?? []), ...late] };
}

/**
 * The gate's settling (the claim held to act, the brake's latch) was still running at the deadline: nothing is changed
 * (ResponseGate.outOfTime says whether the claim's holder is known, and gives back a claim this delivery may hold).
 */
function ledgerOutOfTime(begun: Begun, error: Error): SettledGate {
  if (begun.gate) return begun.gate.outOfTime(error);
  const verdict = block(LEDGER_UNAVAILABLE, `the incident ledger could not be settled before the deadline (${error.message}): nothing is changed until it can`);
  return { kind: 'first', reads: [...(begun.ledgerReads?.outcomes ?? [])], verdicts: [verdict], finish: async () => undefined };
}
