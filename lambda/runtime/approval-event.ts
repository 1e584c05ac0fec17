import { Logger } from '@aws-lambda-powertools/logger';
import { approvalEventSchema } from '../approval/events';
import { FindingInputError } from '../finding/errors';
import { IncidentLedger } from '../ledger/incident-ledger';
import { END_OF_RESPONSE_RESERVE_MS } from '../plan/end-of-response';
import { resumeFromApproval, type ResumeOutcome } from '../respond/resume';
import { approvalOptionsFor } from './approval-options';
import { ledgerOptionsFor } from './ledger-options';
import type { LambdaEnvironment } from './environment';
import { accountAccessFor, type LambdaContext } from './home-account';
import { outcomeOf } from './outcome';
import type { PlaybookEntry } from './playbook-entry';
import { restoreLedgerFor } from './restore-ledger';
import { RetryableResponseError, shouldFailInvocation } from './retry-policy';

const logger = new Logger();

/*
 * A playbook Lambda invoked to resume a response that waited for a decision
 * (lambda/respond/resume.ts): by the decision path after it recorded one, or
 * by the escalation and deadline schedules. The event is checked (zod) and
 * then trusted for nothing but which incident to look at: the decision, the
 * plan and the state are read from the ledger. A resumed response fails the
 * invocation as any response does when a retry can complete it.
 */
export async function handleApprovalEvent(event: unknown, context: LambdaContext, entry: PlaybookEntry, env: LambdaEnvironment): Promise<ResumeOutcome> {
  const parsed = approvalEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FindingInputError('not-a-finding', `invalid approval event: ${issue.path.join('.') || 'payload'}: ${issue.message}`);
  }
  const access = accountAccessFor(context, env.config.memberRoleName, entry.clientClasses);
  const approval = approvalOptionsFor({ env, access, context, entry });
  if (!approval || !env.ledgerTableName || !env.defaultRegion) throw new Error('an approval event needs the incident ledger (IR_LEDGER_TABLE, AWS_REGION): nothing can be resumed without it');
  const home = access.homeClients(env.defaultRegion);
  const remainingMs = context.getRemainingTimeInMillis?.();
  const deadlineMs = remainingMs === undefined ? undefined : Date.now() + Math.max(0, remainingMs - END_OF_RESPONSE_RESERVE_MS);
  // The stack's blast-radius brake, the first act's own (shared across regions when the stack shares it): the approved changes are held to it.
  const { brake } = ledgerOptionsFor({
    tableName: env.ledgerTableName,
    region: env.defaultRegion,
    access,
    config: env.config,
    dryRunRequested: false,
    context,
    playbook: env.playbook,
    topicArn: env.topicArn,
    chatTopicArn: env.chatTopicArn,
    brakeTableName: env.brakeTableName,
  })!;
  const outcome = await resumeFromApproval({ [entry.playbook.name]: entry.playbook }, parsed.data, env.playbook, {
    config: env.config,
    access,
    defaultRegion: env.defaultRegion,
    // The Lambda's region: its configuration's guardDuty.detectorId is that region's detector (lambda/confirm/detector.ts).
    stackRegion: env.defaultRegion,
    dryRun: env.config.mode === 'dry-run',
    topicArn: env.topicArn,
    ...(env.chatTopicArn ? { chatTopicArn: env.chatTopicArn } : {}),
    ...(env.evidence ? { evidence: env.evidence } : {}),
    responder: { protectedRoleNames: env.protectedRoleNames },
    restoreLedger: restoreLedgerFor(access, env.defaultRegion, env.ledgerTableName),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(entry.confirmFinding ? { confirmFinding: entry.confirmFinding } : {}),
    ...(entry.archiveFinding ? { archiveFinding: entry.archiveFinding } : {}),
    approval,
    incidents: new IncidentLedger(home.dynamodb, env.ledgerTableName),
    brake,
    // Lambda's retry of this invocation keeps its request id: it takes the request again at once (resume.ts).
    ...(context.awsRequestId ? { invocationId: context.awsRequestId } : {}),
    willRetry: (report) => shouldFailInvocation(report).retry,
  });
  if (outcome.status !== 'resumed') {
    logger.info('approval event: nothing resumed', { kind: parsed.data.kind, ...outcome });
    return outcome;
  }
  const { report } = outcome;
  const summary = { kind: parsed.data.kind, playbook: report.playbook, incidentId: report.incidentId, approval: report.approval, summary: report.summary, outcome: outcomeOf(report), ledger: report.ledger };
  const decision = shouldFailInvocation(report);
  if (decision.retry) {
    logger.error('resumed response finished incomplete: the invocation fails', { ...summary, reason: decision.reason, report });
    throw new RetryableResponseError(report, decision.reason);
  }
  logger.info('resumed response finished', summary);
  return outcome;
}
