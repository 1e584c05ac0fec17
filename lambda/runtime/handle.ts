import { Logger } from '@aws-lambda-powertools/logger';
import { routingTableFor } from '../config/routing-of';
import type { Report } from '../plan/document';
import { respond } from '../respond/respond';
import { routeFinding } from '../routing/route';
import { readLambdaEnvironment, type LambdaEnvironment } from './environment';
import { accountAccessFor, type LambdaContext } from './home-account';
import { parseInvocation } from './invocation';
import { RoutingMismatchError } from './routing-mismatch';

const logger = new Logger();

/**
 * The body of every playbook Lambda. Returns the report (one per finding).
 * Bad input and misrouted findings throw typed errors: EventBridge retries
 * them, then they land in the on-failure queue, where an alarm sees them.
 * The context names the function's own account: findings of any other
 * account are answered there through its member role.
 */
export async function handleInvocation(event: unknown, context: LambdaContext, env: LambdaEnvironment = readLambdaEnvironment()): Promise<Report | Report[]> {
  const invocation = parseInvocation(event);
  const access = accountAccessFor(context, env.config.memberRoleName);
  const dryRun = env.config.mode === 'dry-run' || invocation.dryRunRequested;
  const table = routingTableFor(env.config);
  const reports: Report[] = [];
  for (const finding of invocation.findings) {
    const route = routeFinding(finding, table);
    if (route.playbook !== env.playbook) throw new RoutingMismatchError(finding.id, route.playbook, env.playbook);
    const region = finding.region ?? env.defaultRegion;
    if (!region) throw new Error(`finding ${finding.id} names no region and AWS_REGION is not set`);
    const report = await respond(finding, {
      config: env.config,
      access,
      defaultRegion: region,
      dryRun,
      topicArn: env.topicArn,
      ...(env.evidence ? { evidence: env.evidence } : {}),
      responder: { protectedRoleNames: env.protectedRoleNames },
    });
    logger.info('playbook finished', {
      playbook: report.playbook,
      findingId: report.findingId,
      incidentId: report.incidentId,
      dryRun: report.dryRun,
      blockedBy: report.blockedBy,
      summary: report.summary,
    });
    reports.push(report);
  }
  return reports.length === 1 ? reports[0]! : reports;
}
