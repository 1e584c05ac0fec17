import type { Command } from 'commander';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { safeJson, safeLine } from '../../lambda/text/untrusted';
import { readBrakeState, type BrakeState } from '../brake/brake-state';
import { brakeRegion, locateBrake, type BrakeLocation } from '../brake/locate';
import { releaseLatch, releaseRecordOf, type ReleaseRecord } from '../brake/release-latch';
import { brakeReleaseNote } from '../brake/release-note';
import { brakeReleaseEvidenceKey } from '../../lambda/evidence/release-layout';
import { publishOperatorNote, type NoteDelivery } from '../../lambda/notify/operator-note-publish';
import type { StepReport } from '../../lambda/plan/document';
import { keepReleaseEvidence, type ReleaseEvidenceTarget } from '../../lambda/release/evidence';
import { loadDeployment } from '../config';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { brakeOperatorClients, type BrakeOperatorClients } from '../operator-clients';
import { renderBrakeState } from '../render/brake-text';
import { type AwsCommandOptions, withAwsOptions } from './aws-options';
import type { Runner } from './common';

interface BrakeOptions extends AwsCommandOptions {
  readonly stack?: string;
  readonly config?: string;
  readonly table?: string;
  readonly topicArn?: string;
}

interface ReleaseOptions extends BrakeOptions {
  readonly reason?: string;
  readonly dryRun?: boolean;
  /** commander's --no-notify: false when given. */
  readonly notify?: boolean;
}

/** The reason is written to the ledger and mailed to the team: one line of plain text, long enough to mean something. */
const REASON_MIN = 3;
const REASON_MAX = 500;

function checkedReason(reason: string | undefined): string {
  if (reason === undefined) throw new UsageError('ir brake release needs --reason "<why>": the release is recorded and announced with it');
  const trimmed = reason.trim();
  if (trimmed.length < REASON_MIN) throw new UsageError(`--reason must say why the brake is released (at least ${REASON_MIN} characters)`);
  if (trimmed.length > REASON_MAX) throw new UsageError(`--reason is ${trimmed.length} characters; at most ${REASON_MAX}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw new UsageError('--reason must be one line of text, without control characters');
  return trimmed;
}

export interface Opened {
  readonly location: BrakeLocation;
  readonly clients: BrakeOperatorClients;
  readonly state: BrakeState;
}

/** Every input is checked and the brake found before anything is read or written (exit 2 otherwise). `evidence`: a release that acts needs the stack's bucket. */
async function open(options: BrakeOptions, notify = true, evidence = false): Promise<Opened> {
  const deployment = loadDeployment(options.config);
  const region = brakeRegion(deployment, options);
  const clients = brakeOperatorClients(region, options);
  const location = await locateBrake(deployment, options, region, clients, notify, evidence);
  const state = await readBrakeState({ dynamodb: clients.aws.dynamodb, table: location.table, region, limit: deployment.config.blastRadius.maxContainmentsPerHour, now: new Date() });
  return { location, clients, state };
}

export async function brakeStatusCommand(options: BrakeOptions): Promise<ExitCode> {
  const { state } = await open(options);
  // One shape for every command's --json: an array (here of one state).
  process.stdout.write(`${options.json ? safeJson([state], 2) : renderBrakeState(state).join('\n')}\n`);
  return EXIT.ok;
}

export type ReleaseResult =
  | { readonly action: 'not-latched'; readonly state: BrakeState }
  | { readonly action: 'would-release'; readonly state: BrakeState; readonly topicArn: string | undefined; readonly evidenceBucket: string | undefined }
  | { readonly action: 'changed'; readonly state: BrakeState }
  | {
      readonly action: 'released';
      readonly state: BrakeState;
      readonly record: ReleaseRecord;
      /** The release's record in the stack's evidence bucket: done, skipped (why) or failed (the AWS code). */
      readonly evidence: StepReport;
      readonly notification: { status: 'sent'; messageId: string } | { status: 'failed'; code: string; message: string } | { status: 'not-sent'; reason: string };
      /** The chat copy on the stack's chat topic; null when the stack has none (or --no-notify). */
      readonly chatNotification: NoteDelivery | null;
    };

function print(result: ReleaseResult, json: boolean): void {
  // One shape for every command's --json: an array (here of one result).
  process.stdout.write(`${json ? safeJson([result], 2) : renderReleaseResult(result).join('\n')}\n`);
}

/** What `ir brake release` prints: the state after, then what was done (escaped). */
export function renderReleaseResult(result: ReleaseResult): string[] {
  const lines: string[] = [];
  if (result.action === 'not-latched') lines.push('', 'The brake is not latched: nothing to release, nothing recorded.');
  if (result.action === 'would-release') {
    const kept = result.evidenceBucket ? `, keep its record in the evidence bucket ${result.evidenceBucket}` : '';
    lines.push('', `DRY-RUN: would delete the latch, record the release in ${result.state.table}${kept} and ${result.topicArn ? `notify ${result.topicArn}` : 'notify no one (--no-notify)'}. Nothing was changed.`);
  }
  if (result.action === 'changed') lines.push('', 'NOT RELEASED: the latch changed since it was read (released by someone else, or engaged again). Run ir brake status.');
  if (result.action === 'released') {
    const n = result.notification;
    const sent = n.status === 'sent' ? `notified (message ${n.messageId})` : n.status === 'not-sent' ? `not notified: ${n.reason}` : `NOT notified (${n.code}: ${n.message})`;
    lines.push('', `RELEASED by ${result.record.releasedBy} at ${result.record.releasedAt}: recorded as ${result.record.key}; ${sent}.`);
    const e = result.evidence;
    lines.push(
      e.status === 'done' ? `Evidence kept: ${e.detail ?? e.target}` : e.status === 'skipped' ? `Evidence not kept: ${e.reason ?? ''}` : `Evidence NOT kept (${e.error?.code ?? 'UnknownError'}: ${e.error?.message ?? ''}): ${e.target}`,
    );
    const chat = result.chatNotification;
    if (chat) lines.push(chat.status === 'sent' ? `Chat copy posted (message ${chat.messageId ?? '(no id)'}).` : `Chat copy NOT posted (${chat.error?.code ?? 'UnknownError'}: ${chat.error?.message ?? ''}).`);
  }
  // The state's lines are escaped (and painted) by the renderer; these are escaped here.
  return [...renderBrakeState(result.state), ...lines.map((line) => safeLine(line))];
}

export async function brakeReleaseCommand(options: ReleaseOptions): Promise<ExitCode> {
  const reason = checkedReason(options.reason);
  const notify = options.notify !== false;
  const dryRun = options.dryRun === true;
  const result = await releaseBrake({ ...(await open(options, notify, !dryRun)), reason, dryRun });
  print(result, options.json === true);
  if (result.action === 'changed') return EXIT.actionFailed;
  if (result.action !== 'released') return EXIT.ok;
  if (result.notification.status === 'failed') {
    process.stderr.write(`ir: ${safeLine(`the brake is released and recorded, but the team was not notified (${result.notification.code}): tell them`)}\n`);
    return EXIT.actionFailed;
  }
  // Released, recorded and announced, but its record (or chat copy) is short: the documented code for short evidence.
  if (result.evidence.status === 'failed') {
    process.stderr.write(`ir: ${safeLine(`the brake is released, recorded and announced, but its record could not be kept in the evidence bucket (${result.evidence.error?.code ?? 'UnknownError'})`)}\n`);
    return EXIT.evidenceFailed;
  }
  return result.chatNotification?.status === 'failed' ? EXIT.evidenceFailed : EXIT.ok;
}

/**
 * The release itself, once the brake is found and read: the one path of
 * `ir brake release` and of `make demo` (demo/trail.ts), so the demo shows
 * exactly what the command records and announces.
 */
export async function releaseBrake(input: Opened & { readonly reason: string; readonly dryRun: boolean }): Promise<ReleaseResult> {
  const { location, clients, state } = input;
  const reason = checkedReason(input.reason);
  const latch = state.latched;
  if (!latch) return { action: 'not-latched', state };
  if (input.dryRun) return { action: 'would-release', state, topicArn: location.topicArn, evidenceBucket: location.evidence?.bucket };
  const identity = await clients.aws.sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Arn) throw new Error('sts:GetCallerIdentity named no ARN: the release would not say who made it');
  const record = releaseRecordOf(state, latch, { releasedBy: identity.Arn, reason, now: new Date() });
  const outcome = await releaseLatch(clients.aws.dynamodb, location.table, record);
  if (outcome.status === 'changed') return { action: 'changed', state: { ...state, latched: outcome.latch } };
  const evidence = await keepReleaseEvidence(evidenceTargetOf(location, clients), brakeReleaseEvidenceKey({ region: location.region, engagementId: latch.engagementId, at: new Date(record.releasedAt) }), () => ({
    kind: 'brake-release',
    writtenAt: new Date().toISOString(),
    releasedBy: record.releasedBy,
    reason: record.reason,
    region: location.region,
    ledger: { table: location.table, key: record.key },
    release: record,
    // What the operator saw before releasing: the latch and the slots held within the hour.
    brakeBefore: state,
    notification: location.topicArn ? 'sent after this record is written: the result of ir brake release says whether it was' : 'none: the operator chose --no-notify',
  }));
  const topicArn = location.topicArn;
  if (!topicArn) {
    return { action: 'released', state: { ...state, latched: undefined }, record, evidence, notification: { status: 'not-sent', reason: 'ir brake release --no-notify: the operator chose not to announce it' }, chatNotification: null };
  }
  const sent = await publishOperatorNote(
    { sns: clients.aws.sns, topicArn, ...(location.chatTopicArn ? { chatTopicArn: location.chatTopicArn } : {}) },
    brakeReleaseNote(record, state, evidence),
  );
  const notification =
    sent.email.status === 'sent'
      ? { status: 'sent' as const, messageId: sent.email.messageId ?? '(no id)' }
      : { status: 'failed' as const, code: sent.email.error?.code ?? 'UnknownError', message: sent.email.error?.message ?? '' };
  return { action: 'released', state: { ...state, latched: undefined }, record, evidence, notification, chatNotification: sent.chat };
}

/** The stack's bucket with the operator's S3 client (the brake's account: the security account), or why no record is kept. */
function evidenceTargetOf(location: BrakeLocation, clients: BrakeOperatorClients): ReleaseEvidenceTarget {
  if (location.evidence) return { destination: { ...location.evidence, s3: () => Promise.resolve(clients.aws.s3) } };
  return { skip: 'the deployed stack was not read (--table and --topic-arn name the trail): pass --stack to keep the record in its evidence bucket' };
}

function withBrakeOptions(command: Command): Command {
  return withAwsOptions(command, 'region of the brake (default: blastRadius.homeRegion when configured, else AWS_REGION)')
    .option('--stack <name>', 'the deployed stack whose outputs name the ledger table, topic and evidence bucket (default: as ir invoke)')
    .option('--config <file>', 'configuration JSON (default: the incidentResponse context in cdk.json)')
    .option('--table <name>', 'the ledger table holding the brake (default: the stack output)')
    .option('--topic-arn <arn>', 'the topic a release is announced on (default: the stack output)');
}

export function registerBrake(program: Command, run: Runner): void {
  const brake = program.command('brake').description('the blast-radius brake: see what holds it, release it once latched');
  withBrakeOptions(brake.command('status').description('slots held in the rolling hour (incident, finding, playbook, time) and whether the brake is latched, since when, why'))
    .addHelpText('after', '\nExit codes: 0 read, 1 the ledger could not be read, 2 bad input (stack, output or region not found).')
    .action((options: BrakeOptions) => run(() => brakeStatusCommand(options)));
  withBrakeOptions(
    brake
      .command('release')
      .description('release a latched brake: the latch is cleared (if it is still the one read), the release recorded in the ledger, kept in the evidence bucket and announced on the topic')
      .option('--reason <text>', 'why the brake may release (required; recorded and announced)')
      .option('--dry-run', 'show what would be done, change nothing')
      .option('--no-notify', 'do not announce the release (without it, the topic must be found: the stack output or --topic-arn)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir brake status --region eu-west-1
  $ ir brake release --region eu-west-1 --reason "flood was a misconfigured scanner, INC-4711" --dry-run
  $ ir brake release --region eu-west-1 --reason "flood was a misconfigured scanner, INC-4711" --json

--json prints an array of one result.

A release that acts keeps its record in the stack's evidence bucket (incidents/brake/<region>/) and
sends its note to the topic and, when the stack has one, the chat topic.

Exit codes: 0 released (or not latched), 1 not released (the latch changed) or not notified, 2 bad input (no --reason, stack or output not found),
3 released, recorded and announced, but its record not kept in the evidence bucket (or the chat copy not posted).`,
    )
    .action((options: ReleaseOptions) => run(() => brakeReleaseCommand(options)));
}
