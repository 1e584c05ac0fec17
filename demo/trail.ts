import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { readBrakeState, type BrakeState } from '../cli/brake/brake-state';
import { releaseBrake, renderReleaseResult, type ReleaseResult } from '../cli/commands/brake';
import { releaseInstanceWithTrail } from '../cli/commands/release';
import { reportExitCode } from '../cli/exit-codes';
import { paint } from '../cli/render/colors';
import { renderBrakeState } from '../cli/render/brake-text';
import { renderRelease } from '../cli/render/release-text';
import { renderReport } from '../cli/render/plan-text';
import { brakeOperatorClients } from '../cli/operator-clients';
import { EMULATOR_REGION, emulatorClientOptions, emulatorClients, emulatorSqs } from '../emulator/clients';
import type { SeededAccount } from '../emulator/seed-account';
import { toStepError } from '../lambda/aws/errors';
import { EVIDENCE_ROOT } from '../lambda/evidence/layout';
import { BRAKE_FOLDER } from '../lambda/evidence/release-layout';
import { parseFindings } from '../lambda/finding/parse';
import type { Finding } from '../lambda/finding/schema';
import { ALREADY_ANSWERED, BLAST_RADIUS_BRAKE } from '../lambda/ledger/verdicts';
import type { Report, StepReport } from '../lambda/plan/document';
import type { ReleaseReport } from '../lambda/release/report';
import { readInbox } from '../test/integration/support/inbox';
import { captureAccountState, diffState } from './account-state';
import { DEMO_RETENTION_DAYS, type EmulatedStack } from './emulated-stack';
import { secondMinerFinding } from './instantiate';
import { heading, indent, say, step } from './progress';

/*
 * What the enforce runs left behind, shown the way an operator finds it:
 * the ledger turns a re-delivery of the first finding into a no-op; one
 * acting response too many in the hour latches the brake (announced once),
 * and `ir brake release` clears it, recorded in the ledger and announced;
 * the evidence sits in the locked bucket, its deletion refused; and
 * `ir release` puts the first instance back from its restore record in the
 * ledger, recorded and announced. Each release keeps its record in the
 * locked bucket too, and the demo shows its key.
 */

export interface TrailResult {
  readonly redelivery: { readonly report: Report; readonly exitCode: number; readonly changes: number; readonly notifications: readonly string[] };
  readonly brake: { readonly report: Report; readonly exitCode: number; readonly state: BrakeState; readonly notifications: readonly string[] };
  readonly brakeRelease: {
    readonly result: ReleaseResult;
    /** Whether the release record (result.record.key) is in the ledger table, read back after the release. */
    readonly recorded: boolean;
    /** The key of the release's record in the evidence bucket (incidents/brake/...), read back; null when none was kept. */
    readonly evidenceKey: string | null;
    /** `ir brake status` after the release. */
    readonly stateAfter: BrakeState;
    readonly notifications: readonly string[];
  };
  readonly evidence: {
    readonly objects: number;
    readonly firstKey: string | null;
    readonly lockMode: string | null;
    readonly retainUntil: string | null;
    /** The error code of an attempt to delete a locked version; null when the emulator let it go (a problem). */
    readonly deleteRefused: string | null;
  };
  readonly release: {
    readonly report: ReleaseReport;
    readonly changes: readonly string[];
    readonly notifications: readonly string[];
    /** The key of the release's record in the evidence bucket (incidents/<account>/<region>/<incident>/releases/...), read back; null when none was kept. */
    readonly evidenceKey: string | null;
  };
  /** What did not behave (empty: all did). */
  readonly problems: readonly string[];
}

interface TrailInput {
  readonly endpoint: string;
  readonly seed: SeededAccount;
  readonly stack: EmulatedStack;
  readonly first: Finding;
  readonly answer: (finding: Finding) => Promise<Report>;
}

export async function showTrail(input: TrailInput): Promise<TrailResult> {
  const { endpoint, seed, stack } = input;
  const clients = emulatorClients(endpoint, EMULATOR_REGION);
  const sqs = emulatorSqs(endpoint, EMULATOR_REGION);
  const inbox = async () => (await readInbox(sqs, seed.notifications.inboxQueueUrl)).map((n) => n.subject);
  const problems: string[] = [];

  heading('the ledger: the first finding delivered again');
  say(`  EventBridge and Lambda deliver at least once: ${input.first.type} on ${input.first.resource?.instanceDetails?.instanceId ?? '?'} arrives a second time`);
  const before = await captureAccountState(clients, seed);
  const again = await step('ir respond --execute (the same finding)', () => input.answer(input.first));
  say(renderReport(again));
  const redeliveryChanges = diffState(before, await captureAccountState(clients, seed));
  say(`  ${paint('bold', 'what changed')}  ${redeliveryChanges.length === 0 ? paint('green', 'nothing: the ledger says the incident is answered') : paint('red', `${redeliveryChanges.length} change(s)`)}`);
  const redeliveryNotes = await inbox();
  say(`  ${paint('bold', 'notification')} ${paint('dim', redeliveryNotes.join(' | ') || 'none')}`);
  if (!again.blockedBy.includes(ALREADY_ANSWERED)) problems.push(`the re-delivery was not recognised as already answered (blocked by: ${again.blockedBy.join(', ') || 'nothing'})`);
  if (redeliveryChanges.length > 0) problems.push('the re-delivery changed the account');

  heading('the brake: one containment too many within the hour');
  const second = parseFindings(secondMinerFinding(seed).event)[0]!;
  say(`  ${stack.config.blastRadius.maxContainmentsPerHour} acting responses per rolling hour (blastRadius.maxContainmentsPerHour); as many ran above (three findings, and the approved one). ${second.type} on ${seed.instanceB.instanceId} (${seed.instanceB.name}) asks for one more`);
  const braked = await step('ir respond --execute (instance B)', () => input.answer(second));
  say(renderReport(braked));
  const brakeNotes = await inbox();
  say(`  ${paint('bold', 'notifications')} ${paint('dim', brakeNotes.join(' | ') || 'none')}`);
  const brakeState = await readBrakeState({ dynamodb: clients.dynamodb, table: stack.ledgerTable, region: EMULATOR_REGION, limit: stack.config.blastRadius.maxContainmentsPerHour, now: new Date() });
  say(`  ${paint('bold', 'ir brake status')}`);
  say(indent(renderBrakeState(brakeState).join('\n'), '    '));
  if (!braked.blockedBy.includes(BLAST_RADIUS_BRAKE)) problems.push(`the containment one too many was not stopped by the brake (blocked by: ${braked.blockedBy.join(', ') || 'nothing'})`);
  if (!brakeState.latched) problems.push('the brake did not latch');
  const brakeRelease = await releaseTheBrake(input, brakeState, inbox, problems);

  heading('the evidence: in the locked bucket');
  const evidence = await lockedEvidence(input, problems);

  heading(`ir release ${seed.instanceA.instanceId}: from the ledger`);
  say(`  the first finding was a false positive: put ${seed.instanceA.name} back as it was, from the restore record written before the first change`);
  const beforeRelease = await captureAccountState(clients, seed);
  const { region: _region, ...base } = emulatorClientOptions(endpoint, EMULATOR_REGION);
  const released = await step(`ir release ${seed.instanceA.instanceId} --stack ${stack.stackName}`, () =>
    releaseInstanceWithTrail(seed.instanceA.instanceId, { region: EMULATOR_REGION, stack: stack.stackName, clientOverrides: base }),
  );
  say(renderRelease(released));
  const releaseChanges = diffState(beforeRelease, await captureAccountState(clients, seed));
  say(`  ${paint('bold', 'what changed')}`);
  for (const change of releaseChanges) say(`    ${change.what}: ${paint('dim', change.before)} → ${paint('green', change.after)}`);
  const releaseEvidenceKey = await keptRecord(input, released.evidence, problems, 'the release');
  const releaseNotes = await inbox();
  say(`  ${paint('bold', 'notification')} ${paint('dim', releaseNotes.join(' | ') || 'none')}`);
  if (released.refused) problems.push(`the release was refused: ${released.refused}`);
  if (released.summary.failed > 0) problems.push(`${released.summary.failed} release step(s) failed`);
  if (released.recordSource !== 'ledger') problems.push(`the release did not come from the ledger (${released.recordSource ?? 'no record'})`);
  if (releaseNotes.length === 0) problems.push('the release was not announced');

  return {
    redelivery: { report: again, exitCode: reportExitCode(again), changes: redeliveryChanges.length, notifications: redeliveryNotes },
    brake: { report: braked, exitCode: reportExitCode(braked), state: brakeState, notifications: brakeNotes },
    brakeRelease,
    evidence,
    release: { report: released, changes: releaseChanges.map((c) => c.what), notifications: releaseNotes, evidenceKey: releaseEvidenceKey },
    problems,
  };
}

/** `ir brake release --reason "demo"` through the command's own path (cli/commands/brake.ts), then `ir brake status` again. */
async function releaseTheBrake(input: TrailInput, state: BrakeState, inbox: () => Promise<string[]>, problems: string[]): Promise<TrailResult['brakeRelease']> {
  const { stack } = input;
  const { region: _region, ...base } = emulatorClientOptions(input.endpoint, EMULATOR_REGION);
  const clients = brakeOperatorClients(EMULATOR_REGION, { clientOverrides: base });
  // The stack's outputs name the ledger table and the topic (demo/emulated-stack.ts), as locateBrake reads them.
  const location = {
    region: EMULATOR_REGION,
    stackName: stack.stackName,
    table: stack.ledgerTable,
    topicArn: stack.topicArn,
    evidence: { bucket: stack.evidenceBucket, region: EMULATOR_REGION, keyArn: stack.evidenceKeyArn },
  };
  const result = await step(`ir brake release --stack ${stack.stackName} --reason "demo"`, () => releaseBrake({ location, clients, state, reason: 'demo', dryRun: false }));
  say(indent(renderReleaseResult(result).join('\n'), '    '));
  const recorded =
    result.action === 'released' &&
    (await clients.aws.dynamodb.send(new GetItemCommand({ TableName: stack.ledgerTable, Key: { pk: { S: result.record.key } }, ConsistentRead: true }))).Item !== undefined;
  say(`  ${paint('bold', 'recorded in the ledger')} ${recorded ? paint('green', result.action === 'released' ? result.record.key : '') : paint('red', 'no')}`);
  const evidenceKey = result.action === 'released' ? await keptRecord(input, result.evidence, problems, 'the brake release') : null;
  const notifications = await inbox();
  say(`  ${paint('bold', 'notification')} ${paint('dim', notifications.join(' | ') || 'none')}`);
  const stateAfter = await readBrakeState({ dynamodb: clients.aws.dynamodb, table: stack.ledgerTable, region: EMULATOR_REGION, limit: stack.config.blastRadius.maxContainmentsPerHour, now: new Date() });
  say(`  ${paint('bold', 'ir brake status')} (after the release)`);
  say(indent(renderBrakeState(stateAfter).join('\n'), '    '));
  if (result.action !== 'released') problems.push(`the brake was not released (${result.action})`);
  else if (result.notification.status !== 'sent') problems.push(`the brake release was not announced (${result.notification.status})`);
  if (!recorded) problems.push('the brake release is not recorded in the ledger');
  if (notifications.length === 0) problems.push('the brake release was not announced');
  if (stateAfter.latched) problems.push('the brake is still latched after its release');
  return { result, recorded, evidenceKey, stateAfter, notifications };
}

/** A release's record in the evidence bucket: its key, read back (locked, under the stack's key), or a problem. */
async function keptRecord(input: TrailInput, evidence: StepReport | null, problems: string[], what: string): Promise<string | null> {
  const key = evidence?.status === 'done' ? evidence.target.replace(`s3://${input.stack.evidenceBucket}/`, '') : null;
  if (!key) {
    problems.push(`${what} kept no record in the evidence bucket (${evidence?.status ?? 'no step'}${evidence?.error ? `: ${evidence.error.code}` : evidence?.reason ? `: ${evidence.reason}` : ''})`);
    say(`  ${paint('bold', 'evidence')} ${paint('red', 'not kept')}`);
    return null;
  }
  const s3 = emulatorClients(input.endpoint, EMULATOR_REGION).s3;
  const head = await s3.send(new HeadObjectCommand({ Bucket: input.stack.evidenceBucket, Key: key }));
  say(`  ${paint('bold', 'evidence')} ${paint('green', `s3://${input.stack.evidenceBucket}/${key}`)} (Object Lock ${head.ObjectLockMode ?? 'none'}, ${head.ServerSideEncryption ?? 'unencrypted'})`);
  if (head.ObjectLockMode !== 'GOVERNANCE') problems.push(`the record of ${what} is not locked (Object Lock mode ${head.ObjectLockMode ?? 'none'})`);
  return key;
}

async function lockedEvidence(input: TrailInput, problems: string[]): Promise<TrailResult['evidence']> {
  const s3 = emulatorClients(input.endpoint, EMULATOR_REGION).s3;
  const bucket = input.stack.evidenceBucket;
  const { Versions = [] } = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  // The brake's release record is no incident's (incidents/brake/...): listed on its own.
  const incidents = new Set(Versions.map((v) => v.Key?.split('/').slice(0, 4).join('/')).filter((prefix) => prefix && !prefix.startsWith(`${EVIDENCE_ROOT}/${BRAKE_FOLDER}/`)));
  const brakeRecords = Versions.filter((v) => v.Key?.startsWith(`${EVIDENCE_ROOT}/${BRAKE_FOLDER}/`)).length;
  say(`  s3://${bucket}: ${Versions.length} objects of ${incidents.size} incident(s) (finding, plan, describe output, console output, report, ...) and ${brakeRecords} brake release record(s)`);
  for (const prefix of [...incidents].sort()) say(`    ${prefix}/`);
  const first = Versions[0];
  if (!first?.Key) {
    problems.push('no evidence was written');
    return { objects: 0, firstKey: null, lockMode: null, retainUntil: null, deleteRefused: null };
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: first.Key, VersionId: first.VersionId }));
  const retainUntil = head.ObjectLockRetainUntilDate?.toISOString() ?? null;
  say(`  ${first.Key}`);
  say(`    Object Lock ${paint('bold', head.ObjectLockMode ?? 'none')} until ${retainUntil ?? '?'} (${DEMO_RETENTION_DAYS} days)`);
  const deleteRefused = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: first.Key, VersionId: first.VersionId })).then(
    () => null,
    (error: unknown) => toStepError(error).code,
  );
  say(`    delete of that version: ${deleteRefused ? paint('green', `refused (${deleteRefused})`) : paint('red', 'ALLOWED')}`);
  if (head.ObjectLockMode !== 'GOVERNANCE') problems.push(`the evidence is not locked (Object Lock mode ${head.ObjectLockMode ?? 'none'})`);
  if (!deleteRefused) problems.push('a locked evidence version could be deleted');
  return { objects: Versions.length, firstKey: first.Key, lockMode: head.ObjectLockMode ?? null, retainUntil, deleteRefused };
}
