import { closeLoopSteps } from '../close-loop/steps';
import { isUnconfirmedDelivery } from '../confirm/verdicts';
import { consoleOutputInstance } from '../evidence/sources';
import type { EvidenceDestination } from '../evidence/destination';
import { evidenceSteps } from '../evidence/steps';
import { isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { blockingGuardIds } from '../guards';
import type { GuardVerdict } from '../guards/types';
import { chatNotificationStep, notificationStep } from '../notify/publish-step';
import { stepDocument, type ApprovalState, type PlanDocument } from '../plan/document';
import type { PlannedStep, StepOutcome } from '../plan/types';
import type { PlaybookPlan } from '../playbooks/types';
import type { Begun } from './begin';
import type { SettledGate } from './gate';
import type { PreparedPlan, RespondOptions } from './options';

/** Reshapes the assembled steps before the document is made (the wait for a decision: lambda/respond/wait.ts). */
export type PlanShaper = (steps: PlannedStep[]) => { readonly steps: PlannedStep[]; readonly approval: ApprovalState | undefined };

/** Where this finding's evidence goes, always with the security account's credentials, or why it is not kept. */
function evidenceDestinationOf(finding: Finding, options: RespondOptions): { destination: EvidenceDestination | undefined; skipReason: string } {
  const none = (skipReason: string) => ({ destination: undefined, skipReason });
  if (!options.evidence) return none('no evidence bucket configured (IR_EVIDENCE_BUCKET)');
  // GuardDuty's sample findings (and the heartbeat's) are no incident: a year of locked objects for them would bury the real ones.
  if (isSampleFinding(finding)) return none('sample finding: there is no incident to keep evidence of');
  const region = options.evidence.region ?? options.defaultRegion ?? finding.region;
  const { evidenceS3 } = options;
  const home = options.access && region ? options.access.homeClients(region) : options.clients;
  if (evidenceS3) return { destination: { ...options.evidence, s3: () => Promise.resolve(evidenceS3) }, skipReason: '' };
  if (!home) return none('no client for the evidence bucket (planned offline)');
  return { destination: { ...options.evidence, s3: () => home.load('s3') }, skipReason: '' };
}

/** The security account's clients in the finding's region, which Security Hub and GuardDuty are asked with: the member account's never are. */
function homeClientsOf(region: string | undefined, options: RespondOptions) {
  if (!options.access) return options.clients;
  return region ? options.access.homeClients(region) : undefined;
}

/**
 * The whole plan: the playbook's steps, then closing the loop in Security
 * Hub and GuardDuty when the configuration asks for it (lambda/close-loop/),
 * then the notification and the
 * evidence in the security account; for a later delivery of an answered
 * incident, only its short notification (nothing else is new, evidence
 * included). A delivery GuardDuty did not confirm always gets the whole
 * (blocked) plan and its own notification, never a REPEAT note, and keeps
 * its evidence apart. And the document every report, dry-run and email is made of.
 */
export function assemblePlan(
  begun: Begun,
  options: RespondOptions,
  planned: PlaybookPlan,
  guards: GuardVerdict[],
  settled: SettledGate | undefined,
  shape?: PlanShaper,
): PreparedPlan {
  const { finding } = begun.planning;
  const { account, incidentId } = begun;
  const lastStage = Math.max(0, ...planned.steps.map((s) => s.stage));
  const region = finding.region ?? options.defaultRegion;
  // After every change of the playbook, so they report its real outcome; before the notification, so it lists them.
  const closeLoop = closeLoopSteps({
    finding,
    playbook: begun.route.playbook,
    incidentId,
    config: options.config,
    home: homeClientsOf(region, options),
    region,
    stackRegion: options.stackRegion,
    playbookSteps: planned.steps,
    document: () => document,
    stage: lastStage + 1,
    archiver: options.archiveFinding,
    owedNotes: options.ledger?.owedNotes,
  });
  const reportStage = lastStage + 1 + (closeLoop.length > 0 ? 1 : 0);
  const consoleInstance = consoleOutputInstance(begun.route.playbook, finding);
  // Perhaps a forged copy of a real finding: its evidence goes apart (lambda/evidence/layout.ts), never over the genuine incident's.
  const unconfirmed = isUnconfirmedDelivery(blockingGuardIds(guards));
  // The notifications are built from the finding as well as the document: its words, its actor, its resource in detail.
  // The account's name (configured, else its IAM alias) is read once the isolation moves are sent; the notification awaits it (bounded:
  // lambda/notify/account-alias.ts). A response that stopped before its reads never let the read go: it goes now (isolation-first.ts).
  const notificationContext = async () => {
    begun.isolationFirst.clear();
    const name = await begun.accountName;
    return {
      finding,
      ...(name.configured ? { accountAlias: name.configured } : {}),
      ...(name.alias ? { iamAlias: name.alias } : {}),
      ...(name.read ? { aliasRead: name.read } : {}),
    };
  };
  // The notification and the evidence read the finished document when they run, after it is built below.
  const evidence = evidenceSteps({
    ...evidenceDestinationOf(finding, options),
    finding,
    incident: {
      accountId: finding.accountId ?? null,
      region: finding.region ?? null,
      incidentId,
      findingId: finding.id,
      ...(unconfirmed ? { unconfirmedDeliveryAt: begun.planning.now.toISOString() } : {}),
    },
    document: () => document,
    // GuardDuty's own copy of the finding is evidence too. Every read has settled by now.
    responses: [...begun.confirmationReads.responses, ...begun.reads.responses],
    ...(consoleInstance
      ? { console: { instanceId: consoleInstance, ...(account.clients ? {} : { unreachable: "the finding's account was not reached: nothing is read there" }) } }
      : {}),
    stage: reportStage,
  });
  const assembled =
    settled?.kind === 'repeat'
      ? settled.repeatSteps(() => document, { topicArn: options.topicArn, chatTopicArn: options.chatTopicArn, sns: account.notificationSns, context: notificationContext })
      : [
          ...planned.steps,
          ...closeLoop,
          notificationStep(() => document, options.topicArn, reportStage, account.notificationSns, options.notificationSkipReason, notificationContext),
          ...(options.chatTopicArn
            ? [chatNotificationStep(() => document, options.chatTopicArn, reportStage, account.notificationSns, options.notificationSkipReason, notificationContext)]
            : []),
          ...evidence,
        ];
  // The wait for a decision (lambda/respond/wait.ts) holds some steps back and adds its own: before the document is made, which the notification reads.
  const shaped = shape && settled?.kind !== 'repeat' ? shape(assembled) : { steps: assembled, approval: undefined };
  const { steps } = shaped;
  const reads: StepOutcome[] = [...account.reads, ...begun.confirmationReads.outcomes, ...begun.reads.outcomes, ...(settled?.reads ?? [])];
  // The alias read settles after this document is built (it runs after the isolation moves, unwaited): its outcome joins the report's reads then.
  void begun.accountName.then((name) => {
    if (name.read) reads.push(name.read);
  });
  const document: PlanDocument = {
    playbook: begun.route.playbook,
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    accountId: finding.accountId ?? null,
    region: finding.region ?? null,
    incidentId,
    dryRun: options.dryRun,
    offline: account.clients === undefined,
    route: { ruleId: begun.route.ruleId, why: begun.route.why },
    blockedBy: blockingGuardIds(guards),
    guards,
    warnings: settled?.kind === 'repeat' ? [] : planned.warnings,
    resource: planned.resource,
    reads,
    steps: steps.map(stepDocument),
    ...(shaped.approval ? { approval: shaped.approval } : {}),
    ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
  };
  return {
    document,
    steps,
    ...(account.executionClients ? { clients: account.executionClients } : {}),
    ...(options.restoreLedger ? { restoreLedger: options.restoreLedger } : {}),
    ...(options.config.localEmulator ? { localEmulator: true } : {}),
    ...(settled && begun.gate && options.ledger ? { gate: { settled, table: options.ledger.ledger.tableName, key: begun.gate.ledgerKey } } : {}),
  };
}
