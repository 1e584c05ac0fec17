import type { LambdaClient } from '@aws-sdk/client-lambda';
import { toStepError } from '../aws/errors';
import type { EvidenceDestination } from '../evidence/destination';
import { putDecisionEvidence } from './decision-evidence';
import { writeDecision, type Decision, type DecisionResult, type LedgerTable } from './decisions';
import { resumePlaybook, type PlaybookFunctions } from './resume-playbook';

/*
 * What every channel does with a decision, in this order:
 *  1. record it in the ledger (the one conditional write: decisions.ts);
 *  2. keep it in the evidence bucket;
 *  3. wake the waiting playbook.
 * Only 1 decides. A failure of 2 or 3 is reported as failed (with the AWS
 * code) and does not undo 1: the decision stands, and the approval's
 * deadline event, which reads the ledger, still finds it.
 */

export interface DecisionDependencies {
  readonly ledger: LedgerTable;
  readonly evidence: EvidenceDestination | undefined;
  readonly lambda: LambdaClient;
  readonly playbookFunctions: PlaybookFunctions;
}

export type FollowUpStep = { readonly status: 'done'; readonly detail: string } | { readonly status: 'skipped'; readonly reason: string } | { readonly status: 'failed'; readonly code: string; readonly message: string };

export type AppliedDecision =
  | { readonly status: 'recorded'; readonly decision: Decision; readonly evidence: FollowUpStep; readonly resume: FollowUpStep }
  | Extract<DecisionResult, { status: 'refused' }>;

async function step(run: () => Promise<string>): Promise<FollowUpStep> {
  try {
    return { status: 'done', detail: await run() };
  } catch (error) {
    const { code, message } = toStepError(error);
    return { status: 'failed', code, message };
  }
}

export async function applyDecision(deps: DecisionDependencies, decision: Decision): Promise<AppliedDecision> {
  const written = await writeDecision(deps.ledger, decision);
  if (written.status !== 'recorded') return written;
  const { approval } = written;
  const evidence = deps.evidence;
  const [evidenceStep, resume] = await Promise.all([
    evidence ? step(() => putDecisionEvidence(evidence, approval, decision)) : Promise.resolve<FollowUpStep>({ status: 'skipped', reason: 'no evidence bucket configured' }),
    step(() => resumePlaybook(deps.lambda, deps.playbookFunctions, approval.playbook, decision.incidentId)),
  ]);
  return { status: 'recorded', decision, evidence: evidenceStep, resume };
}
