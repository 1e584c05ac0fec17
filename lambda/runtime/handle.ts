import { Logger } from '@aws-lambda-powertools/logger';
import { routingTableFor } from '../config/routing-of';
import { HEARTBEAT_NOTIFICATION_SKIP, heartbeatHealth } from '../heartbeat/health';
import { parseArn } from '../aws/arn';
import type { Report } from '../plan/document';
import { END_OF_RESPONSE_RESERVE_MS } from '../plan/end-of-response';
import { isApprovalEventShaped } from '../approval/events';
import { respondWith } from '../respond/respond-with';
import type { ResumeOutcome } from '../respond/resume';
import { handleApprovalEvent } from './approval-event';
import { approvalOptionsFor } from './approval-options';
import { routeFinding } from '../routing/route';
import { readLambdaEnvironment, type LambdaEnvironment } from './environment';
import { accountAccessFor, type LambdaContext } from './home-account';
import { parseInvocation } from './invocation';
import type { PlaybookEntry } from './playbook-entry';
import { ledgerOptionsFor } from './ledger-options';
import { restoreLedgerFor } from './restore-ledger';
import { outcomeOf } from './outcome';
import { RetryableResponseError, shouldFailInvocation } from './retry-policy';
import { RoutingMismatchError } from './routing-mismatch';

const logger = new Logger();

/**
 * What the end of a response needs once the last step has started: the
 * steps still running, the notification and the ledger's outcome write, each
 * bounded (lambda/plan/end-of-response.ts). No other step starts later than
 * this before the Lambda timeout, and every call before the plan (the ledger,
 * AssumeRole, the confirmation, discovery) ends earlier still, at its phase's
 * cut-off (lambda/plan/pre-plan-budget.ts), so a slow AWS yields a report of
 * what did not run, recorded in the ledger, not an invocation killed mid-call
 * with no report.
 */
export { END_OF_RESPONSE_RESERVE_MS };

/** Publishes one playbook function's heartbeat metric. */
type HeartbeatPublisher = (playbook: LambdaEnvironment['playbook'], functionName: string) => void;
let heartbeatPublisher: Promise<HeartbeatPublisher> | undefined;

/**
 * The heartbeat's metrics (Powertools Metrics, lambda/heartbeat/metric.ts),
 * imported and made on the first heartbeat: a daily sample finding, so a cold
 * start answering a real finding does not load their code. A failed import
 * is not remembered: the next heartbeat tries again.
 */
function loadHeartbeatPublisher(): Promise<HeartbeatPublisher> {
  if (!heartbeatPublisher) {
    const loading = import('../heartbeat/metric').then(({ heartbeatMetrics, publishHeartbeat }): HeartbeatPublisher => {
      const metrics = heartbeatMetrics();
      return (playbook, functionName) => publishHeartbeat(metrics, playbook, functionName);
    });
    heartbeatPublisher = loading;
    loading.catch(() => {
      if (heartbeatPublisher === loading) heartbeatPublisher = undefined;
    });
  }
  return heartbeatPublisher;
}

/**
 * The body of every playbook Lambda. Returns the report (one per finding).
 * Bad input and misrouted findings throw typed errors: EventBridge retries
 * them, then they land in the on-failure queue, where an alarm sees them.
 * The context names the function's own account: findings of any other
 * account are answered there through its member role.
 *
 * A response that a retry can complete, or whose notification failed, fails
 * the invocation (RetryableResponseError) once every finding is answered,
 * logged and recorded in the ledger: Lambda retries it (the ledger makes the
 * retry act only where the first attempt did not finish), and after the last
 * attempt the on-failure queue receives it.
 */
export async function handleInvocation(
  event: unknown,
  context: LambdaContext,
  entry: PlaybookEntry,
  env: LambdaEnvironment = readLambdaEnvironment(),
): Promise<Report | Report[]> {
  if (entry.playbook.name !== env.playbook) {
    throw new Error(`invalid Lambda environment: IR_PLAYBOOK is ${env.playbook}, but this function's code is the ${entry.playbook.name} playbook`);
  }
  const invocation = parseInvocation(event);
  const access = accountAccessFor(context, env.config.memberRoleName, entry.clientClasses);
  const approval = approvalOptionsFor({ env, access, context, entry });
  const dryRun = env.config.mode === 'dry-run' || invocation.dryRunRequested;
  const table = routingTableFor(env.config);
  const remainingMs = context.getRemainingTimeInMillis?.();
  const deadlineMs = remainingMs === undefined ? undefined : Date.now() + Math.max(0, remainingMs - END_OF_RESPONSE_RESERVE_MS);
  const reports: Report[] = [];
  let failure: RetryableResponseError | undefined;
  for (const finding of invocation.findings) {
    const route = routeFinding(finding, table);
    if (route.playbook !== env.playbook) throw new RoutingMismatchError(finding.id, route.playbook, env.playbook);
    const region = finding.region ?? env.defaultRegion;
    if (!region) throw new Error(`finding ${finding.id} names no region and AWS_REGION is not set`);
    const ledger = env.ledgerTableName
      ? ledgerOptionsFor({
          tableName: env.ledgerTableName,
          region: ledgerRegion(env),
          access,
          config: env.config,
          dryRunRequested: invocation.dryRunRequested,
          context,
          playbook: env.playbook,
          topicArn: env.topicArn,
          chatTopicArn: env.chatTopicArn,
          finding,
          brakeTableName: env.brakeTableName,
        })
      : undefined;
    const report = await respondWith({ [entry.playbook.name]: entry.playbook }, finding, {
      config: env.config,
      access,
      defaultRegion: region,
      // The configured GuardDuty detector is the one of the function's own region (lambda/confirm/detector.ts).
      ...(env.defaultRegion ? { stackRegion: env.defaultRegion } : {}),
      dryRun,
      topicArn: env.topicArn,
      ...(env.chatTopicArn ? { chatTopicArn: env.chatTopicArn } : {}),
      ...(env.evidence ? { evidence: env.evidence } : {}),
      responder: { protectedRoleNames: env.protectedRoleNames },
      // A warm container's early isolation move (lambda/playbooks/contain-instance/early/): the Lambda only, never `ir respond`.
      earlyMove: true,
      ...(invocation.heartbeat ? { notificationSkipReason: HEARTBEAT_NOTIFICATION_SKIP } : {}),
      ...(ledger ? { ledger, restoreLedger: restoreLedgerFor(access, ledgerRegion(env), ledger.ledger.tableName) } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      ...(entry.confirmFinding ? { confirmFinding: entry.confirmFinding } : {}),
      ...(entry.archiveFinding ? { archiveFinding: entry.archiveFinding } : {}),
      ...(approval ? { approval } : {}),
      ...(invocation.requestedBy ? { requestedBy: invocation.requestedBy } : {}),
    });
    const decision = shouldFailInvocation(report);
    // findingType, outcome and trigger feed the dashboard's findings-by-type-and-outcome table (lib/monitoring/dashboard.ts).
    const summary = {
      playbook: report.playbook,
      findingId: report.findingId,
      findingType: report.findingType,
      incidentId: report.incidentId,
      dryRun: report.dryRun,
      blockedBy: report.blockedBy,
      summary: report.summary,
      outcome: outcomeOf(report),
      trigger: invocation.heartbeat ? 'heartbeat' : 'finding',
      ledger: report.ledger,
    };
    if (decision.retry) {
      // The whole report: if the notification failed, this log line may be the only readable copy besides the ledger.
      logger.error('playbook finished incomplete: the invocation fails', { ...summary, reason: decision.reason, report });
      failure ??= new RetryableResponseError(report, decision.reason);
    } else {
      logger.info('playbook finished', summary);
    }
    if (invocation.heartbeat) await recordHeartbeat(report, env.playbook, context);
    reports.push(report);
  }
  if (failure) throw failure;
  return reports.length === 1 ? reports[0]! : reports;
}

/**
 * What a playbook function is invoked with: a finding (EventBridge, a direct invocation, the heartbeat), or an
 * approval event that resumes a response which waited for a decision (lambda/respond/resume.ts): the event names
 * the incident, the ledger holds the rest.
 */
export function handleEvent(event: unknown, context: LambdaContext, entry: PlaybookEntry, env: LambdaEnvironment = readLambdaEnvironment()): Promise<Report | Report[] | ResumeOutcome> {
  if (isApprovalEventShaped(event)) return handleApprovalEvent(event, context, entry, env);
  return handleInvocation(event, context, entry, env);
}

/** A heartbeat that went as it must publishes its metric; any other is logged as an error and publishes nothing, so the alarm fires. */
async function recordHeartbeat(report: Report, playbook: LambdaEnvironment['playbook'], context: LambdaContext): Promise<void> {
  const health = heartbeatHealth(report, playbook);
  if (!health.healthy) {
    logger.error('heartbeat unhealthy: no heartbeat metric published', { playbook, findingId: report.findingId, problems: health.problems });
    return;
  }
  // arn:…:function:<name>[:alias]: the alarm watches the metric of exactly this function.
  const functionName = parseArn(context.invokedFunctionArn)?.resource.split(':')[1];
  if (!functionName) {
    logger.error('heartbeat: no function name in the invoked function ARN: no heartbeat metric published', { invokedFunctionArn: context.invokedFunctionArn });
    return;
  }
  const publish = await loadHeartbeatPublisher();
  publish(playbook, functionName);
}

/** The ledger is the security account's, in the function's own region. */
function ledgerRegion(env: LambdaEnvironment): string {
  if (!env.defaultRegion) throw new Error('IR_LEDGER_TABLE is set but AWS_REGION is not: the ledger table cannot be located');
  return env.defaultRegion;
}
