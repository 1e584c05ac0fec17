import type { Command } from 'commander';
import { releaseInstance } from '../../lambda/release/release';
import { releaseFailed } from '../../lambda/release/report';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { operatorRegion, releaseClients } from '../operator-clients';
import { renderRelease } from '../render/release-text';
import { type AwsCommandOptions, withAwsOptions } from './aws-options';
import type { Runner } from './common';
import { safeJson } from '../../lambda/text/untrusted';

interface ReleaseOptions extends AwsCommandOptions {
  readonly dryRun?: boolean;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * Undoes contain-instance after a false positive, from the record it left
 * on the instance. No record: refused, nothing changed, exit 1 (the input
 * was valid; the instance is not in a state a release can undo).
 */
export async function releaseCommand(instanceId: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!INSTANCE_ID.test(instanceId)) throw new UsageError(`not an EC2 instance id: ${instanceId} (expected i- and 8 or 17 hex digits)`);
  const region = operatorRegion(options.region, `instance ${instanceId}`);
  const report = await releaseInstance(instanceId, { clients: releaseClients(region, options), region, dryRun: options.dryRun === true });
  process.stdout.write(`${options.json ? safeJson(report, 2) : renderRelease(report)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return releaseFailed(report) ? EXIT.actionFailed : EXIT.ok;
}

export function registerRelease(program: Command, run: Runner): void {
  withAwsOptions(
    program
      .command('release')
      .description('undo an isolation after a false positive: original security groups and instance profile back, incident tags removed, snapshots kept')
      .argument('<instance-id>', 'the contained instance (it must carry the ir:original-sgs:<eni-id> record contain-instance wrote)')
      .option('--dry-run', 'read and plan, change nothing'),
    'region of the instance (default: AWS_REGION)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir release i-0123456789abcdef0 --region eu-west-1 --dry-run    # what would be restored
  $ ir release i-0123456789abcdef0 --region eu-west-1 --json       # restore, print the report as JSON
  $ ir release i-0123456789abcdef0 --profile security --endpoint-url http://127.0.0.1:5000

Termination protection, shutdown behaviour and DeleteOnTermination stay as the containment set them,
Auto Scaling and target-group membership are not restored, and evidence snapshots are kept.
Exit codes: 0 released, 1 refused (no record) or a step failed, 2 bad input.`,
    )
    .action((instanceId: string, options: ReleaseOptions) => run(() => releaseCommand(instanceId, options)));
}
