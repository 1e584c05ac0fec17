import { Logger } from '@aws-lambda-powertools/logger';
import { routingTableFor } from '../config/routing-of';
import type { Report } from '../plan/document';
import { respond } from '../respond/respond';
import { routeFinding } from '../routing/route';
import { readLambdaEnvironment, type LambdaEnvironment } from './environment';
import { accountAccessFor, type LambdaContext } from './home-account';
import { parseInvocation } from './invocation';
import { ledgerOptionsFor } from './ledger-options';
import { RetryableResponseError, shouldFailInvocation } from './retry-policy';
import { RoutingMismatchError } from './routing-mismatch';

const logger = new Logger();

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
export async function handleInvocation(event: unknown, context: LambdaContext, env: LambdaEnvironment = readLambdaEnvironment()): Promise<Report | Report[]> {
  const invocation = parseInvocation(event);
  const access = accountAccessFor(context, env.config.memberRoleName);
  const dryRun = env.config.mode === 'dry-run' || invocation.dryRunRequested;
  const table = routingTableFor(env.config);
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
        })
      : undefined;
    const report = await respond(finding, {
      config: env.config,
      access,
      defaultRegion: region,
      dryRun,
      topicArn: env.topicArn,
      responder: { protectedRoleNames: env.protectedRoleNames },
      ...(ledger ? { ledger } : {}),
    });
    const decision = shouldFailInvocation(report);
    const summary = {
      playbook: report.playbook,
      findingId: report.findingId,
      incidentId: report.incidentId,
      dryRun: report.dryRun,
      blockedBy: report.blockedBy,
      summary: report.summary,
      ledger: report.ledger,
    };
    if (decision.retry) {
      // The whole report: if the notification failed, this log line may be the only readable copy besides the ledger.
      logger.error('playbook finished incomplete: the invocation fails', { ...summary, reason: decision.reason, report });
      failure ??= new RetryableResponseError(report, decision.reason);
    } else {
      logger.info('playbook finished', summary);
    }
    reports.push(report);
  }
  if (failure) throw failure;
  return reports.length === 1 ? reports[0]! : reports;
}

/** The ledger is the security account's, in the function's own region. */
function ledgerRegion(env: LambdaEnvironment): string {
  if (!env.defaultRegion) throw new Error('IR_LEDGER_TABLE is set but AWS_REGION is not: the ledger table cannot be located');
  return env.defaultRegion;
}
