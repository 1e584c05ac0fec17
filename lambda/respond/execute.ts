import type { AwsClients } from '../aws/clients';
import { ResponderError, toStepError } from '../aws/errors';
import { LEDGER_OUTCOME_LIMIT_MS } from '../plan/end-of-response';
import { stepReport, summarize, type Report } from '../plan/document';
import { executePlan, type ExecuteOptions } from '../plan/executor';
import type { ExecutionContext, StepOutcome } from '../plan/types';
import type { OutcomeWrite } from '../ledger/incident-ledger';
import type { RestoreLedger } from '../ledger/restore-record';
import type { PreparedPlan } from './options';

/** What another delivery of the incident may be doing to the resource (ResponseGate.othersMoving): absent, nothing. */
export interface OthersMoving {
  readonly untilMs?: number | undefined;
}

/** What the steps of one act must know of the response around them. */
export interface ActingContext {
  readonly others?: OthersMoving | undefined;
  /** ExecutionContext.holdsDecision. */
  readonly holdsDecision?: boolean;
}

export function executionContext(clients: AwsClients, now: () => Date, restoreLedger?: RestoreLedger, around: ActingContext = {}): ExecutionContext {
  const { others, holdsDecision } = around;
  return {
    clients,
    outputs: new Map(),
    outcomes: [],
    now,
    ...(restoreLedger ? { restoreLedger } : {}),
    ...(others ? { othersMayMove: true, ...(others.untilMs !== undefined ? { othersMoveUntilMs: others.untilMs } : {}) } : {}),
    ...(holdsDecision ? { holdsDecision } : {}),
  };
}

export function executeOptionsOf(
  prepared: { readonly document: Pick<PreparedPlan['document'], 'blockedBy'>; readonly localEmulator?: boolean },
  deadlineMs: number | undefined,
): ExecuteOptions {
  return { blockedBy: prepared.document.blockedBy, ...(deadlineMs !== undefined ? { deadlineMs } : {}), ...(prepared.localEmulator ? { localEmulator: true } : {}) };
}

/** The report of a plan whose steps ended with these outcomes, recorded in the ledger when the response has one. */
export async function finishReport(prepared: PreparedPlan, outcomes: readonly StepOutcome[], startedAt: string, now: () => Date): Promise<Report> {
  const steps = prepared.document.steps.map((step, index) => stepReport(step, outcomes[index]!));
  const report: Report = { ...prepared.document, steps, summary: summarize(outcomes), startedAt, finishedAt: now().toISOString() };
  if (!prepared.gate) return report;
  const { settled, table, key } = prepared.gate;
  // An unconfirmed delivery that did not hold the claim writes nothing to the ledger: the report names no record.
  if (settled.kind === 'unconfirmed') return report;
  try {
    const written = await withinLimit<OutcomeWrite | void>(settled.finish(report, prepared.document), LEDGER_OUTCOME_LIMIT_MS);
    // Never dropped silently: the report (and so the logs, the retry policy and `ir invoke`) says the ledger holds another's outcome.
    if (written === 'superseded') return { ...report, ledger: { table, key, recorded: false, superseded: true } };
    return { ...report, ledger: { table, key, recorded: true } };
  } catch (error) {
    // The report still goes back (and to the logs); the handler decides whether the invocation fails.
    return { ...report, ledger: { table, key, recorded: false, error: toStepError(error) } };
  }
}

export const LEDGER_NOT_ANSWERED = 'LedgerNotAnswered';

/**
 * The ledger's outcome write is the last thing before the invocation ends,
 * within its share of the time kept before Lambda's timeout: it is waited
 * for that long at most. Not answered by then, it may still land; the report
 * says it is not recorded, and the invocation fails so that it is retried.
 */
async function withinLimit<T>(write: Promise<T>, limitMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ResponderError(LEDGER_NOT_ANSWERED, `the ledger's outcome write was not answered within ${limitMs} ms: it may still land`, true)),
      limitMs,
    );
  });
  try {
    return await Promise.race([write, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function executePrepared(
  prepared: PreparedPlan,
  clients: AwsClients,
  now: () => Date = () => new Date(),
  deadlineMs?: number,
): Promise<Report> {
  const startedAt = now().toISOString();
  const outcomes = await executePlan(prepared.steps, executionContext(clients, now, prepared.restoreLedger), executeOptionsOf(prepared, deadlineMs));
  return finishReport(prepared, outcomes, startedAt, now);
}
