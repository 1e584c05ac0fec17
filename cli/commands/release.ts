import type { Command } from 'commander';
import { RestoreLedger } from '../../lambda/ledger/restore-record';
import { PendingApprovals } from '../../lambda/approval/pending';
import { parseRestoreParts, RESTORE_PARTS, type RestorePart } from '../../lambda/release/parts';
import { releaseInstance, type ReleaseOptions as ReleaseRunOptions } from '../../lambda/release/release';
import { releaseFailed, releaseTrailShort, type ReleaseReport } from '../../lambda/release/report';
import { releaseAccessKey } from '../../lambda/release/access-key';
import { releaseBucket } from '../../lambda/release/bucket';
import { renderBucketRelease } from '../render/bucket-release-text';
import { releaseFunction } from '../../lambda/release/function';
import { FUNCTION_NAME } from '../../lambda/finding/lambda-function';
import { parseDatabaseName, releaseDatabase } from '../../lambda/release/database';
import { IMAGE_OR_SNAPSHOT_ID, releaseImage } from '../../lambda/release/image';
import { objectReleaseFailed, releaseObject } from '../../lambda/release/object';
import type { AwsClients } from '../../lambda/aws/clients';
import type { EvidenceBucket } from '../../lambda/evidence/destination';
import type { NoteTopics } from '../../lambda/notify/operator-note-publish';
import type { ReleaseEvidenceTarget } from '../../lambda/release/evidence';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from '../exit-codes';
import { brakeOperatorClients, operatorRegion, releaseClients, securityClients } from '../operator-clients';
import { findDeployedStack, requiredOutput } from '../deployment/deployed-stack';
import { loadDeployment } from '../config';
import { securityStackName } from '../../lib/naming';
import { EVIDENCE_BUCKET_OUTPUT, LEDGER_TABLE_OUTPUT, TOPIC_ARN_OUTPUT } from '../../lib/stack-outputs';
import { renderFunctionRelease, renderKeyRelease, renderRelease } from '../render/release-text';
import { type AwsCommandOptions, withAwsOptions } from './aws-options';
import type { Runner } from './common';
import { safeJson } from '../../lambda/text/untrusted';

export interface ReleaseOptions extends AwsCommandOptions {
  readonly dryRun?: boolean;
  readonly ledgerTable?: string;
  readonly topicArn?: string;
  readonly securityProfile?: string;
  readonly only?: string;
  readonly fromTags?: boolean;
  readonly accessKey?: string;
  /** `--function <name>`: undo contain-function instead. */
  readonly function?: string;
  readonly bucket?: string;
  readonly database?: string;
  readonly image?: string;
  /** `--object <bucket>/<key>` (with `--version-id`): undo quarantine-object instead. */
  readonly object?: string;
  readonly versionId?: string;
  readonly stack?: string;
  readonly principal?: string;
  /** commander's --no-notify: false when given. */
  readonly notify?: boolean;
}

function principalOf(text: string | undefined): { kind: 'user' | 'role'; name: string } | undefined {
  if (text === undefined) return undefined;
  const match = /^(user|role)\/([\w+=,.@-]{1,128})$/.exec(text);
  if (!match) throw new UsageError(`--principal: ${text} is not user/<name> or role/<name>`);
  return { kind: match[1] as 'user' | 'role', name: match[2]! };
}

/** The trail of a release: the ledger it is read from and recorded in, the topics it is announced on, the bucket its record is kept in. */
interface ReleaseTrail {
  readonly ledgerTable: string | undefined;
  readonly topicArn: string | undefined;
  readonly chatTopicArn: string | undefined;
  readonly evidence: EvidenceBucket | undefined;
  /** Why no evidence bucket is known (the stack was not read). */
  readonly evidenceSkip?: string;
}

/**
 * The ledger table, topic and evidence bucket: the deployed stack's outputs
 * (--stack, or the deployment's stack name) in the security account, as
 * `ir respond --execute` finds them: a release is recorded in the ledger,
 * kept in the evidence bucket and announced on the topic (and the chat
 * topic, when the stack has one), as every manual action is. --ledger-table
 * and --topic-arn (or the environment) name the first two without the
 * stack, and then no record is kept in the bucket unless --stack is given
 * too (the report says so). Only --no-notify leaves the topic out; only
 * --from-tags with --no-notify may go without any stack (the tags alone,
 * no trail: the operator asked for it).
 */
async function releaseTrail(region: string, options: ReleaseOptions): Promise<ReleaseTrail> {
  const notify = options.notify !== false && options.dryRun !== true;
  const ledgerTable = options.ledgerTable ?? process.env.IR_LEDGER_TABLE;
  const topicArn = notify ? (options.topicArn ?? process.env.IR_TOPIC_ARN) : undefined;
  if (ledgerTable && (topicArn || !notify) && !options.stack) {
    const evidenceSkip = 'the deployed stack was not read (--ledger-table and --topic-arn, or the environment, name the trail): pass --stack to keep the record in its evidence bucket';
    return { ledgerTable, topicArn, chatTopicArn: undefined, evidence: undefined, evidenceSkip };
  }
  const deployment = loadDeployment(undefined);
  const stackName = options.stack ?? securityStackName(deployment.stackName, deployment.config.regions.length > 0 ? region : undefined);
  const { cloudFormation } = brakeOperatorClients(region, { ...options, ...(options.securityProfile ? { profile: options.securityProfile } : {}) });
  const stack = await findDeployedStack(cloudFormation, stackName, region);
  if (!stack) {
    if (options.fromTags && options.notify === false && !ledgerTable) {
      return { ledgerTable: undefined, topicArn: undefined, chatTopicArn: undefined, evidence: undefined, evidenceSkip: 'no stack: --from-tags --no-notify releases from the tags alone, leaving no trail' };
    }
    throw new UsageError(
      `stack ${stackName} does not exist in ${region}: a release is recorded in its ledger and announced on its topic ` +
        '(pass --stack and --region of the deployed stack, or --ledger-table and --topic-arn; --from-tags --no-notify releases from the tags alone, leaving no trail)',
    );
  }
  const why = 'a release is recorded in the ledger and announced on the topic (or pass --ledger-table / --topic-arn; --no-notify to tell no one)';
  // A dry-run keeps nothing: only a release that acts needs the bucket.
  const evidence = options.dryRun ? stack.evidence : requiredOutput(stack, stack.evidence, EVIDENCE_BUCKET_OUTPUT, 'a release keeps its record in the evidence bucket, as the Lambda keeps its evidence');
  const resolvedTopic = notify ? (topicArn ?? requiredOutput(stack, stack.topicArn, TOPIC_ARN_OUTPUT, why)) : undefined;
  return {
    ledgerTable: ledgerTable ?? requiredOutput(stack, stack.ledgerTable, LEDGER_TABLE_OUTPUT, why),
    topicArn: resolvedTopic,
    // The chat copy goes where the Lambda posts it, also when --topic-arn redirects the email; never with --no-notify.
    chatTopicArn: resolvedTopic ? stack.chatTopicArn : undefined,
    evidence,
  };
}

/** Where the release's record goes, with the security account's S3 client, or why it is not kept. */
function evidenceTargetOf(trail: ReleaseTrail, security: AwsClients | undefined): ReleaseEvidenceTarget {
  if (trail.evidence && security) return { destination: { ...trail.evidence, s3: () => Promise.resolve(security.s3) } };
  return trail.evidenceSkip ? { skip: trail.evidenceSkip } : {};
}

function noteTopicsOf(trail: ReleaseTrail, security: AwsClients | undefined): NoteTopics | undefined {
  if (!trail.topicArn || !security) return undefined;
  return { sns: security.sns, topicArn: trail.topicArn, ...(trail.chatTopicArn ? { chatTopicArn: trail.chatTopicArn } : {}) };
}

/** 1 when the release failed (refused, a step, the ledger, the email); 3 when it stands but its record or chat copy is short; else 0. */
function releaseExitCode(report: Parameters<typeof releaseFailed>[0] & Parameters<typeof releaseTrailShort>[0]): ExitCode {
  if (releaseFailed(report)) return EXIT.actionFailed;
  return releaseTrailShort(report) ? EXIT.evidenceFailed : EXIT.ok;
}

/** What a release made from its restore record only is given: the released account's clients, the ledger, where its record and note go. */
interface RestoreRecordReleaseSetup {
  readonly clients: AwsClients;
  readonly ledger: RestoreLedger;
  readonly approvals: PendingApprovals;
  readonly region: string;
  readonly dryRun: boolean;
  readonly evidence: ReleaseEvidenceTarget;
  readonly notify?: NoteTopics;
}

/** The set-up every restore-record release shares (`flag` and `aRelease` word the usage error when no ledger is known). */
async function restoreRecordReleaseSetup(region: string, options: ReleaseOptions, flag: string, aRelease: string): Promise<RestoreRecordReleaseSetup> {
  const trail = await releaseTrail(region, options);
  if (!trail.ledgerTable) throw new UsageError(`${flag} needs the ledger (--ledger-table, IR_LEDGER_TABLE or --stack): ${aRelease} is made from its restore record only`);
  const security = securityClients(region, options);
  const topics = noteTopicsOf(trail, security);
  return {
    clients: releaseClients(region, options),
    ledger: new RestoreLedger(security.dynamodb, trail.ledgerTable),
    approvals: new PendingApprovals(security.dynamodb, trail.ledgerTable),
    region,
    dryRun: options.dryRun === true,
    evidence: evidenceTargetOf(trail, security),
    ...(topics ? { notify: topics } : {}),
  };
}

/** An access key id: long-term (AKIA) or temporary (ASIA), as a finding names it. */
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;

/** Undoes revoke-credentials for a key, from its restore record in the ledger only. */
async function releaseKeyCommand(accessKeyId: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw new UsageError(`not an access key id: ${accessKeyId} (expected AKIA or ASIA and 12 or more letters and digits)`);
  if (options.only || options.fromTags) throw new UsageError('--only and --from-tags apply to an instance release only');
  const principal = principalOf(options.principal);
  const region = operatorRegion(options.region, `access key ${accessKeyId}`);
  const setup = await restoreRecordReleaseSetup(region, options, '--access-key', 'a key release');
  const report = await releaseAccessKey(accessKeyId, { ...setup, ...(principal ? { principal } : {}) });
  process.stdout.write(`${options.json ? safeJson([report], 2) : renderKeyRelease(report)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return releaseExitCode(report);
}

/** Undoes contain-function for a function, from its restore record in the ledger only. */
async function releaseFunctionCommand(functionName: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!FUNCTION_NAME.test(functionName)) throw new UsageError(`not a Lambda function name: ${functionName} (letters, digits, - and _, at most 64)`);
  if (options.only || options.fromTags || options.principal !== undefined) throw new UsageError('--only, --from-tags and --principal do not apply to a function release');
  const region = operatorRegion(options.region, `Lambda function ${functionName}`);
  const setup = await restoreRecordReleaseSetup(region, options, '--function', 'a function release');
  const report = await releaseFunction(functionName, setup);
  process.stdout.write(`${options.json ? safeJson([report], 2) : renderFunctionRelease(report)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return releaseExitCode(report);
}

/** S3 bucket naming rules (general purpose buckets). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Undoes block-public-access for a bucket of the operator's account, from its restore record in the ledger only. */
async function releaseBucketCommand(bucket: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!BUCKET_NAME.test(bucket)) throw new UsageError(`not an S3 bucket name: ${bucket}`);
  if (options.only || options.fromTags || options.principal) throw new UsageError('--only, --from-tags and --principal do not apply to a bucket release');
  const region = operatorRegion(options.region, `bucket ${bucket}`);
  const setup = await restoreRecordReleaseSetup(region, options, '--bucket', 'a bucket release');
  const report = await releaseBucket(bucket, setup);
  process.stdout.write(`${options.json ? safeJson([report], 2) : renderBucketRelease(report)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return releaseExitCode(report);
}

/** Undoes contain-database's network restriction, from its restore record in the ledger only (lambda/release/database.ts). */
async function releaseDatabaseCommand(name: string, options: ReleaseOptions): Promise<ExitCode> {
  const database = parseDatabaseName(name);
  if (!database) throw new UsageError(`--database: ${name} is not instance/<DB instance id> or cluster/<DB cluster id>`);
  if (options.only || options.fromTags || options.principal) throw new UsageError('--only, --from-tags and --principal do not apply to a database release');
  const region = operatorRegion(options.region, `database ${name}`);
  const { clients, ledger, approvals, dryRun } = await restoreRecordReleaseSetup(region, options, '--database', 'a database release');
  const report = await releaseDatabase(database.kind, database.identifier, { clients, ledger, approvals, region, dryRun });
  process.stdout.write(`${safeJson([report], 2)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return report.refused || report.summary.failed > 0 || report.ledger?.status === 'failed' ? EXIT.actionFailed : EXIT.ok;
}

/** Gives a snapshot or AMI back the sharing quarantine-image removed, from its restore record only (lambda/release/image.ts). */
async function releaseImageCommand(id: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!IMAGE_OR_SNAPSHOT_ID.test(id)) throw new UsageError(`--image: ${id} is not a snapshot (snap-) or image (ami-) id`);
  if (options.only || options.fromTags || options.principal) throw new UsageError('--only, --from-tags and --principal do not apply to an image release');
  const region = operatorRegion(options.region, `image ${id}`);
  const { clients, ledger, approvals, dryRun } = await restoreRecordReleaseSetup(region, options, '--image', 'an image release');
  const report = await releaseImage(id, { clients, ledger, approvals, region, dryRun });
  process.stdout.write(`${safeJson([report], 2)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return report.refused || report.summary.failed > 0 || report.ledger?.status === 'failed' ? EXIT.actionFailed : EXIT.ok;
}

/** Undoes quarantine-object for one object version, from its restore record only (lambda/release/object.ts). */
async function releaseObjectCommand(name: string, options: ReleaseOptions): Promise<ExitCode> {
  const slash = name.indexOf('/');
  const bucket = slash > 0 ? name.slice(0, slash) : '';
  const key = slash > 0 ? name.slice(slash + 1) : '';
  if (!BUCKET_NAME.test(bucket) || key === '' || Buffer.byteLength(key, 'utf8') > 1024 || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new UsageError(`--object: ${name} is not <bucket>/<key>`);
  }
  if (options.versionId !== undefined && !/^[A-Za-z0-9._+=/-]{1,1024}$/.test(options.versionId)) throw new UsageError(`--version-id: ${options.versionId} is not an S3 version id`);
  if (options.only || options.fromTags || options.principal) throw new UsageError('--only, --from-tags and --principal do not apply to an object release');
  const region = operatorRegion(options.region, `object ${name}`);
  const setup = await restoreRecordReleaseSetup(region, options, '--object', 'an object release');
  const report = await releaseObject({ bucket, key, versionId: options.versionId ?? null }, setup);
  process.stdout.write(`${safeJson([report], 2)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return objectReleaseFailed(report) ? EXIT.actionFailed : releaseTrailShort(report) ? EXIT.evidenceFailed : EXIT.ok;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** What `ir release` can undo, as its usage says. */
const RELEASE_TARGETS = 'an instance id, --access-key, --function, --bucket, --object, --database or --image';

/** How many things a release names: an instance, or one of --access-key, --function, --bucket, --database, --image. */
function otherTargets(instanceId: string | undefined, options: ReleaseOptions): number {
  return [instanceId, options.accessKey, options.function, options.bucket, options.object, options.database, options.image].filter((target) => target !== undefined).length;
}

function partsOf(only: string | undefined): ReadonlySet<RestorePart> | undefined {
  if (only === undefined) return undefined;
  const parsed = parseRestoreParts(only);
  if ('error' in parsed) throw new UsageError(parsed.error);
  return parsed.parts;
}

/**
 * Undoes contain-instance after a false positive, from the restore record
 * in the ledger (the tags on the instance only without a ledger, or with
 * --from-tags). No record: refused, nothing changed, exit 1 (the input was
 * valid; the instance is not in a state a release can undo).
 */
export async function releaseCommand(instanceId: string | undefined, options: ReleaseOptions): Promise<ExitCode> {
  if (options.principal !== undefined && options.accessKey === undefined) throw new UsageError('--principal goes with --access-key');
  if (options.versionId !== undefined && options.object === undefined) throw new UsageError('--version-id goes with --object');
  const named = otherTargets(instanceId, options);
  if (named > 1) throw new UsageError(`name one thing to release: ${RELEASE_TARGETS}, not several`);
  if (named === 0) throw new UsageError(`name what to release: ${RELEASE_TARGETS}`);
  if (options.function !== undefined) return releaseFunctionCommand(options.function, options);
  if (options.bucket !== undefined) return releaseBucketCommand(options.bucket, options);
  if (options.object !== undefined) return releaseObjectCommand(options.object, options);
  if (options.image !== undefined) return releaseImageCommand(options.image, options);
  if (options.database !== undefined) return releaseDatabaseCommand(options.database, options);
  if (options.accessKey !== undefined) return releaseKeyCommand(options.accessKey, options);
  if (instanceId === undefined) throw new UsageError(`name what to release: ${RELEASE_TARGETS}`);
  const report = await releaseInstanceWithTrail(instanceId, options);
  process.stdout.write(`${options.json ? safeJson([report], 2) : renderRelease(report)}\n`);
  if (report.refused) process.stderr.write(`ir: release refused: ${report.refused}\n`);
  return releaseExitCode(report);
}

/** `ir release <instance>` without the printing: the command above, and the demo. */
export async function releaseInstanceWithTrail(instanceId: string, options: ReleaseOptions): Promise<ReleaseReport> {
  if (!INSTANCE_ID.test(instanceId)) throw new UsageError(`not an EC2 instance id: ${instanceId} (expected i- and 8 or 17 hex digits)`);
  const region = operatorRegion(options.region, `instance ${instanceId}`);
  const only = partsOf(options.only);
  const trail = await releaseTrail(region, options);
  const { ledgerTable } = trail;
  const security = ledgerTable || trail.topicArn || trail.evidence ? securityClients(region, options) : undefined;
  const topics = noteTopicsOf(trail, security);
  const run: ReleaseRunOptions = {
    clients: releaseClients(region, options),
    region,
    dryRun: options.dryRun === true,
    evidence: evidenceTargetOf(trail, security),
    ...(security && ledgerTable ? { ledger: new RestoreLedger(security.dynamodb, ledgerTable), approvals: new PendingApprovals(security.dynamodb, ledgerTable) } : {}),
    ...(topics ? { notify: topics } : {}),
    ...(only ? { only } : {}),
    ...(options.fromTags ? { fromTags: true } : {}),
  };
  return releaseInstance(instanceId, run);
}

export function registerRelease(program: Command, run: Runner): void {
  withAwsOptions(
    program
      .command('release')
      .description('undo an isolation after a false positive, from the restore record in the ledger: security groups, instance profile, Auto Scaling and target groups, termination protection; snapshots kept')
      .argument('[instance-id]', 'the contained instance')
      .option('--access-key <id>', "undo revoke-credentials instead: reactivate the key if it was Active, remove the responder's own AWSRevokeOlderSessions (needs the ledger)")
      .option('--bucket <name>', 'undo block-public-access instead: put back the public access block the bucket had (or none), if the block is still the responder\'s (needs the ledger)')
      .option('--object <bucket/key>', 'undo quarantine-object instead: tag mode, remove the quarantine tag (the recorded tags back); copy mode, copy the quarantine copy back as a NEW version (needs the ledger)')
      .option('--version-id <id>', 'with --object: the version the finding named (absent: the object had none)')
      .option('--function <name>', "undo contain-function instead: put the Lambda function's reserved concurrency back as recorded, remove the responder's own AWSRevokeOlderSessions from its role (needs the ledger)")
      .option('--database <instance/NAME|cluster/NAME>', "undo contain-database instead: put the DB instance or cluster back on its recorded security groups, if it is still on the responder's isolation group alone (needs the ledger)")
      .option('--image <snap-ID|ami-ID>', 'undo quarantine-image instead: share the snapshot or AMI again as its restore record says (needs the ledger)')
      .option('--principal <user/NAME|role/NAME>', 'with --access-key: go ahead only if the record is of this principal')
      .option('--dry-run', 'read and plan, change nothing, record, keep and send nothing')
      .option('--ledger-table <name>', 'the incident ledger (stack output IncidentLedgerTableName; IR_LEDGER_TABLE works too): the restore record is read from it and the release recorded in it')
      .option('--topic-arn <arn>', 'the stack\'s SNS topic (stack output NotificationTopicArn; IR_TOPIC_ARN works too): the release is notified there')
      .option('--stack <name>', 'the deployed stack whose outputs name the ledger table, the evidence bucket and the topics (in the security account, in --region; default: the stack name of cdk.json)')
      .option('--no-notify', 'do not announce the release (without it, a topic must be found: the stack output, --topic-arn or IR_TOPIC_ARN)')
      .option('--security-profile <name>', 'AWS profile of the security account, for the ledger, the evidence bucket and the topics (default: the same credentials)')
      .option('--only <parts>', `restore only these, comma-separated: ${RESTORE_PARTS.join(',')} (default: all)`)
      .option('--from-tags', 'the ledger holds no record of the instance: restore from its ir:original-* tags anyway (anyone who can tag the instance can write them)'),
    'region of the instance (default: AWS_REGION)',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir release i-0123456789abcdef0 --region eu-west-1 --dry-run            # the stack's ledger and topic, found by its outputs
  $ ir release i-0123456789abcdef0 --region eu-west-1 --only groups,profile --json
  $ ir release i-0123456789abcdef0 --profile member --security-profile security --stack IR-Prod
  $ ir release --access-key AKIAIOSFODNN7EXAMPLE --ledger-table <table> --topic-arn <arn> --dry-run
  $ ir release --function orders-webhook --region us-east-1 --dry-run
  $ ir release --bucket web-assets-prod --profile member --security-profile security --dry-run
  $ ir release --object uploads-prod/incoming/invoice.pdf --version-id 3HL4kqtJ... --profile member --security-profile security --dry-run
  $ ir release i-0123456789abcdef0 --region eu-west-1 --from-tags --no-notify   # no stack: the tags alone, no trail

The ledger's record wins over the tags; where they disagree, the report says so. Without a ledger the
tags are the only record: Auto Scaling, target groups and termination protection then stay as the
containment left them. The "stop" shutdown behaviour and DeleteOnTermination=false stay, and evidence
snapshots are kept. The ledger, the evidence bucket and the topics are the deployed stack's unless
named; a release that acts keeps its record in the evidence bucket, beside its incident
(incidents/<account>/<region>/<incident>/releases/), and its note goes to the topic and the chat
topic. --json prints an array of one release report.

${EXIT_CODES_HELP}`,
    )
    .action((instanceId: string | undefined, options: ReleaseOptions) => run(() => releaseCommand(instanceId, options)));
}
