import type { SNSClient } from '@aws-sdk/client-sns';
import type { StepError } from '../aws/errors';
import type { Finding } from '../finding/schema';
import { block, type GuardVerdict } from '../guards/types';
import { ContainmentBrake, type Reservation } from '../ledger/brake';
import { brakeVerdictReason } from '../ledger/brake-verdict';
import { answersLevel, claimTokenOf, findingCountOf, isIncidentFinding, playbookOwnsRecord, IncidentLedger, INCIDENT_KEY_PREFIX, type Claim, type LedgerRecord, type OutcomeWrite, type PendingNotification, type ResponseLevel } from '../ledger/incident-ledger';
import { HOLD_INCIDENT_TO_ACT, RECORD_INCIDENT, RESERVE_CONTAINMENT } from '../ledger/specs';
import { isUnconfirmedDelivery } from '../confirm/verdicts';
import { ALREADY_ANSWERED, BEING_ANSWERED, BLAST_RADIUS_BRAKE, CLAIM_UNAVAILABLE, JOINED_INCIDENT, LEDGER_UNAVAILABLE } from '../ledger/verdicts';
import type { ResourceIncidents } from '../ledger/resource-incidents';
import { joinNote } from '../notify/join-message';
import type { OpenedIncident } from './open-incident';
import type { NoteDocument } from '../notify/note';
import { CHAT_NOTIFICATION_STEP_ID, contextOf, NOTIFICATION_STEP_ID, PUBLISH_CHAT_NOTIFICATION, publishStep, type NotificationContextSource } from '../notify/publish-step';
import { repeatNote } from '../notify/repeat-message';
import { publishOnce } from '../notify/publish-once';
import { renderedNote } from '../notify/rendered';
import { pendingAfterFailure, pendingChatToSend, pendingOfReport, pendingToSend } from '../notify/undelivered';
import type { PlanDocument, Report } from '../plan/document';
import { PHASE_TIMED_OUT } from '../plan/pre-plan-budget';
import { ReadLog, type ReadResult } from '../plan/reads';
import type { PlannedStep, StepOutcome } from '../plan/types';
import type { NotificationContext } from '../notify/document';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import { answerOf, changedAccount, joinableAnswer } from '../ledger/answered';
import type { OwedNotes } from '../close-loop/owed-notes';
import { noteBrakeFull } from './brake-memory';
import type { OthersMoving } from './execute';

/*
 * The ledger and the brake around one response. The incident (the finding's
 * own, or its resource's: lambda/respond/open-incident.ts) and its claim are
 * found while the finding's account is reached, and the brake reservation
 * runs alongside the claim and the discovery reads instead of in front of
 * them; the gate is settled once the plan is known, and finished with the report.
 * Their calls appear in the report's reads like any other call made before
 * planning, and a failed one blocks every change (fail closed): without the
 * ledger, neither "act once" nor the brake can be kept.
 *
 * The claim is taken before GuardDuty has confirmed the finding (for speed),
 * so a forged copy of a real finding can win it. What keeps that from
 * harming the genuine incident: the claim writes no finding field (type,
 * severity, counts: those are written with the outcome, and only by a
 * confirmed delivery); an unconfirmed delivery that won gives the claim
 * back without answering and writes nothing else; one that lost it leaves
 * the ledger alone; a confirmed delivery whose plan acts holds the claim to
 * act, taking over a live early claim that is not (holdToAct), so that a
 * flood of deliveries that never act cannot keep the genuine one waiting;
 * and a delivery that loses to a claim held to act on an unanswered
 * incident is retried (BEING_ANSWERED) instead of dropped.
 * A finding that joins a resource's incident decides nothing by joining:
 * an unanswered incident is claimed and answered by it as by the first,
 * and only a confirmed finding is added to an answered one (settleJoin).
 */

/** What a take-over after the early claim's grace must leave before the ledger's cut-off: its own write, retried once or twice. */
const TAKE_OVER_MARGIN_MS = 1_000;
/** Waited past the early claim's grace before the take-over, so that it never reaches DynamoDB a moment too soon. */
const TIMER_SLACK_MS = 50;

/** How the Lambda handler hands the ledger to the response. Absent (the `ir` CLI, a requested dry-run): no ledger at all. */
export interface LedgerOptions {
  readonly ledger: IncidentLedger;
  readonly brake: ContainmentBrake;
  /** dry-run: the stack's mode is dry-run; enforce: it may act. */
  readonly level: ResponseLevel;
  readonly leaseMs: number;
  /** The invocation's id (Lambda's request id, the same on its retries): a retry takes over the claim its earlier attempt left. */
  readonly deliveryId?: string;
  /** One incident per resource (lambda/ledger/resource-incidents.ts); absent: an incident per finding. */
  readonly incidents?: { readonly store: ResourceIncidents; readonly joinWindowMs: number };
  /** Security Hub notes owed until Security Hub imports the finding (lambda/close-loop/owed-notes.ts); absent: a note it cannot take yet is only skipped. */
  readonly owedNotes?: OwedNotes;
}

export interface GateInput {
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  /** The incident the delivery belongs to, its claim and the reads that found them (lambda/respond/open-incident.ts). */
  readonly opened: OpenedIncident;
  /** The guards known from the finding alone pass: reserve a brake slot now, alongside discovery. */
  readonly reserveEarly: boolean;
}

/** The gate after planning: what it adds to the plan, and how the response ends. */
export type SettledGate =
  /** finish: 'superseded' when another delivery took the claim over first, and this outcome is not in the ledger. */
  | { readonly kind: 'first'; readonly reads: StepOutcome[]; readonly verdicts: GuardVerdict[]; readonly finish: (report: Report, doc: PlanDocument) => Promise<OutcomeWrite | void> }
  | { readonly kind: 'repeat'; readonly reads: StepOutcome[]; readonly verdicts: GuardVerdict[]; readonly repeatSteps: (doc: () => PlanDocument, targets: NoteTargets) => PlannedStep[]; readonly finish: (report: Report) => Promise<void> }
  /** GuardDuty did not confirm this delivery, and another holds or answered the incident: the ledger is left alone, the response is planned (and blocked) as a first one. */
  | { readonly kind: 'unconfirmed'; readonly reads: StepOutcome[]; readonly verdicts: GuardVerdict[]; readonly finish: () => Promise<void> };

/** Where a delivery of an answered incident sends its short note: the email topic, the chat topic when the stack has one. */
export interface NoteTargets {
  readonly topicArn: string | undefined;
  readonly chatTopicArn?: string | undefined;
  /** The security account's client for the topics; absent: the execution's. */
  readonly sns: SNSClient | undefined;
  /** The finding and the account's name, for the note's resource, account and links (awaited when the step runs). */
  readonly context?: NotificationContextSource;
}

/** What a note step does when it runs: publish (once) and say what it sent, or say why not. */
type NoteRun = PlannedStep['run'];

export class ResponseGate {
  private readonly reads: ReadLog;
  private readonly claim: Promise<ReadResult<Claim>>;
  private reservation: Promise<ReadResult<Reservation>> | undefined;
  private released = false;
  /** This delivery took over the claim another delivery held (holdToAct): that one may have moved the resource already. */
  private tookOver = false;
  /** The token of the take-over this delivery sent (holdToAct), known even when no answer comes. */
  private takeOverToken: string | undefined;
  /** This delivery holds the claim (answered 'claimed', and marked acting or taken over when it acts). */
  private claimHeld = false;
  /** When the response began (the clock LedgerOptions.leaseMs was measured on): a claim taken later ends no later. */
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly options: LedgerOptions,
    private readonly input: GateInput,
  ) {
    this.reads = input.opened.reads;
    this.claim = input.opened.claim;
    // Alongside the claim; never for a delivery known not to hold it (one that joins an answered incident).
    if (input.reserveEarly && this.brakes && input.opened.mayHold) this.reservation = this.reserve();
  }

  get incidentId(): string {
    return this.input.opened.incidentId;
  }

  /**
   * What the steps that move the resource must allow for, once the gate is settled (ExecutionContext.othersMayMove):
   * another delivery of the incident may have changed it since this one read it, because this delivery joined an
   * incident another opened (the opener moves beside its claim, until its opening and the grace) or took another's
   * claim over. Those steps read its state again first. Undefined: nothing (without resource incidents, only the
   * holder of the claim moves early, and this one holds it).
   */
  get othersMoving(): OthersMoving | undefined {
    const { opened } = this.input;
    const joined = opened.resource !== undefined && !opened.openedHere;
    return joined || this.tookOver ? { untilMs: opened.othersMoveUntilMs } : undefined;
  }

  get ledgerKey(): string {
    return `${INCIDENT_KEY_PREFIX}${this.incidentId}`;
  }

  /** The playbooks that change things (contain-instance, revoke-credentials), when the stack may act. */
  private get brakes(): boolean {
    return this.options.level === 'enforce' && actsInFindingAccount(this.input.playbook);
  }

  private reserve(): Promise<ReadResult<Reservation>> {
    const { brake } = this.options;
    const { finding, playbook } = this.input;
    const { incidentId } = this;
    return this.reads.read(RESERVE_CONTAINMENT, `Reserve one of the ${brake.maxPerHour} containments of the hour (blast-radius brake)`, brake.tableName, () =>
      brake.reserve({ incidentId, findingId: finding.id, playbook }),
    );
  }

  /** Gives back a slot this response reserved itself (never one an earlier attempt of the incident holds). */
  private async releaseOwnSlot(): Promise<void> {
    const reserved = await this.reservation;
    if (this.released || !reserved?.ok || reserved.value.status !== 'reserved' || reserved.value.reusedOwn) return;
    this.released = true;
    await this.options.brake.release(reserved.value);
  }

  /**
   * @param wouldAct the plan has a mutating step and no guard blocks it.
   * @param unconfirmed GuardDuty did not confirm the finding (isUnconfirmedDelivery): this delivery may be forged.
   * @param acts GuardDuty confirmed the finding and the plan changes something unless only dry-run holds it back:
   *   this delivery holds the claim to act (holdToAct), against the early claim of any delivery that will not.
   */
  async settle(wouldAct: boolean, unconfirmed: boolean, acts: boolean = wouldAct && !unconfirmed): Promise<SettledGate> {
    const early = await this.claim;
    const claim = acts && !unconfirmed ? await this.holdToAct(early) : early;
    if (!claim.ok) {
      // Not awaited: the ledger is failing, and the slot's release must not hold the settle past its deadline (its
      // reservation ages out of the hour anyway).
      void this.releaseOwnSlot().catch(() => undefined);
      const verdict = block(
        CLAIM_UNAVAILABLE,
        `the incident ledger ${this.options.ledger.tableName} could not be written (${claim.error.code}), so whether another delivery holds incident ${this.incidentId} is not known: nothing is changed until it can`,
      );
      return { kind: 'first', reads: this.settledReads(), verdicts: [verdict], finish: this.finishUnansweredClaim(claim.error) };
    }
    if (claim.value.status === 'already-claimed') {
      const { record } = claim.value;
      if (unconfirmed) {
        // Neither a REPEAT note nor a count in the ledger: they belong to the genuine incident. Its own report and evidence still go out.
        await this.releaseOwnSlot();
        return { kind: 'unconfirmed', reads: this.settledReads(), verdicts: [], finish: async () => undefined };
      }
      if (!answersLevel(record, this.options.level)) return this.settleBusy(record);
      if (!playbookOwnsRecord(this.input.playbook, record)) return this.settleForeign(record);
      // Another finding about the resource, its incident answered (contained, or would be in dry-run): it joins it.
      const joins = this.input.opened.resource !== undefined && !isIncidentFinding(record, this.input.finding.id);
      // Answered with no change needed since the incident was opened (while this delivery waited for the early claim's
      // grace, say): not joined, or a finding below the severity floor would spare this one its response. Its retry
      // gets an incident of its own (open-incident.ts mustNotJoin).
      if (joins && !joinableAnswer(record.answerKind)) return this.settleReopen(record);
      return joins ? this.settleJoin(record) : this.settleRepeat(record);
    }
    const { token } = claim.value;
    this.claimHeld = true;
    const verdicts: GuardVerdict[] = [];
    if (!wouldAct || !this.brakes) {
      await this.releaseOwnSlot();
    } else {
      this.reservation ??= this.reserve();
      const reserved = await this.reservation;
      if (!reserved.ok) {
        verdicts.push(block(LEDGER_UNAVAILABLE, `the blast-radius brake could not be checked (${reserved.error.code}): nothing is changed until it can`));
      } else if (reserved.value.status === 'full') {
        noteBrakeFull(Date.now());
        // Latched only by a delivery no guard blocks (wouldAct), GuardDuty's confirmation included: a forged finding cannot engage it.
        const { finding, playbook } = this.input;
        const { incidentId } = this;
        const engagement = await this.options.brake.engage(reserved.value, { incidentId, findingId: finding.id, playbook });
        verdicts.push(block(BLAST_RADIUS_BRAKE, brakeVerdictReason(reserved.value, engagement)));
      }
    }
    return { kind: 'first', reads: this.settledReads(), verdicts, finish: (report, doc) => this.finishFirst(token, report, doc) };
  }

  /**
   * The gate could not be settled before the deadline (lambda/respond/begin.ts settleGate): nothing is changed. Unless
   * this delivery is known to hold the claim, whether another does is not known (CLAIM_UNAVAILABLE: a move sent beside
   * the claim is left closed); a claim it sent or took over may have landed, and is given back unanswered under its token.
   */
  outOfTime(error: Error): SettledGate {
    const known = this.claimHeld;
    const verdict = block(
      known ? LEDGER_UNAVAILABLE : CLAIM_UNAVAILABLE,
      `the incident ledger could not be settled before the deadline (${error.message})${known ? '' : `, so whether another delivery holds incident ${this.incidentId} is not known`}: nothing is changed until it can`,
    );
    const token = this.takeOverToken ?? this.input.opened.claimToken;
    const finish = token === undefined ? async () => undefined : (report: Report, doc: PlanDocument) => this.finishFirst(token, report, doc);
    return { kind: 'first', reads: this.settledReads(), verdicts: [verdict], finish };
  }

  /**
   * A claim not answered by the ledger's cut-off (lambda/plan/pre-plan-budget.ts) may still have landed: the report is
   * recorded under the token it was sent with, which gives it back unanswered. The write is conditional on that token,
   * so it touches no other delivery's claim, and writes nothing if the claim never landed. A claim refused (AccessDenied,
   * throttled past every retry) left nothing to give back.
   */
  private finishUnansweredClaim(error: StepError): (report: Report, doc: PlanDocument) => Promise<OutcomeWrite | void> {
    // A take-over not answered in time may have landed too: it is the claim this delivery may hold then.
    const token = this.takeOverToken ?? this.input.opened.claimToken;
    if (error.code !== PHASE_TIMED_OUT || token === undefined) return async () => undefined;
    return (report, doc) => this.finishFirst(token, report, doc);
  }

  /**
   * The claim taken before GuardDuty's confirmation is only an early one: a forged copy of the finding, or a
   * confirmed finding that will not act (below the severity floor, exempt), takes it as readily as the genuine
   * delivery, and a flood of them would keep it taken. A confirmed delivery whose plan acts therefore holds
   * the claim to act: it marks its own early claim acting, or takes over a live early claim that is not acting
   * once that claim is EARLY_CLAIM_GRACE_MS old (one conditional write each, lambda/ledger/incident-ledger.ts). Only a claim held to act, or one answered,
   * turns it away; such a claim was taken by a confirmed delivery, its lease ends at that delivery's own
   * deadline and nothing renews it, so Lambda's retry of this delivery claims it once it is given back or expired.
   */
  private async holdToAct(early: ReadResult<Claim>): Promise<ReadResult<Claim>> {
    if (!early.ok) return early;
    const { ledger } = this.options;
    const { finding } = this.input;
    const { incidentId } = this;
    if (early.value.status === 'claimed') {
      const { token } = early.value;
      const marked = await this.reads.read(HOLD_INCIDENT_TO_ACT, `Hold the claim of incident ${incidentId} to act (GuardDuty confirmed the finding)`, this.ledgerKey, () =>
        ledger.markActing(incidentId, token, finding.id),
      );
      if (!marked.ok) return marked;
      // Taken over by another acting delivery: it acts, this one is turned away like any delivery that finds the incident held.
      return marked.value.status === 'acting' ? early : { ok: true, value: { status: 'already-claimed', record: marked.value.record } };
    }
    const { record } = early.value;
    // Answered, or held by a delivery that acts: there is nothing to take over.
    if (answersLevel(record, this.options.level) || record.claimActing) return early;
    // Its holder is given EARLY_CLAIM_GRACE_MS from its claim to mark it acting (it may be moving the interfaces now); with
    // no time left to wait, this delivery is turned away and retried, like one that finds the claim acting.
    const waitMs = ledger.takeOverWaitMs(record);
    if (waitMs > 0) {
      if (waitMs + TIMER_SLACK_MS >= this.timeToTakeOverMs()) return early;
      // A little past the grace: a timer may fire a millisecond early, and DynamoDB's condition is exact.
      await new Promise<void>((resolve) => setTimeout(resolve, waitMs + TIMER_SLACK_MS));
    }
    // The lease ends at this delivery's own deadline: the time left when the response began, less what has run since.
    const leaseMs = Math.max(0, this.options.leaseMs - (Date.now() - this.startedAtMs));
    const waited = waitMs > 0 ? ` (after ${waitMs} ms, the time its holder is given to mark it acting)` : '';
    const token = claimTokenOf(this.options.deliveryId);
    this.takeOverToken = token;
    const taken = await this.reads.read(HOLD_INCIDENT_TO_ACT, `Take the claim of incident ${incidentId} over from a delivery that does not act on it${waited}`, this.ledgerKey, () =>
      ledger.claim({
        finding,
        incidentId,
        level: this.options.level,
        leaseMs,
        token,
        acting: true,
        ...(this.options.deliveryId ? { deliveryId: this.options.deliveryId } : {}),
        ...(this.input.opened.resource !== undefined ? { resource: this.input.opened.resource } : {}),
      }),
    );
    if (taken.ok && taken.value.status === 'claimed') this.tookOver = true;
    return taken;
  }

  /**
   * How long this delivery may still wait before its take-over: the take-over must be sent, with a round trip's margin,
   * before the ledger's cut-off (lambda/plan/pre-plan-budget.ts), and within this delivery's own lease.
   */
  private timeToTakeOverMs(): number {
    const leaseLeft = this.options.leaseMs - (Date.now() - this.startedAtMs);
    const cutOff = this.reads.cutOffMs;
    return Math.min(leaseLeft, cutOff === undefined ? Number.POSITIVE_INFINITY : cutOff - Date.now() - TAKE_OVER_MARGIN_MS);
  }

  private settledReads(): StepOutcome[] {
    return [...this.reads.outcomes];
  }

  /**
   * Another delivery holds a live claim and has not answered the incident.
   * It may be a forged copy that GuardDuty will not confirm and that answers
   * nothing: this one changes nothing, updates nothing, sends nothing (the
   * holder notifies), and fails its invocation so that Lambda retries it.
   */
  private async settleBusy(record: LedgerRecord): Promise<SettledGate> {
    await this.releaseOwnSlot();
    const { incidentId } = this;
    const until = record.leaseUntil !== undefined ? ` (its claim holds until ${new Date(record.leaseUntil).toISOString()} at the latest)` : '';
    // An acting holder was confirmed by GuardDuty and is making the changes; any other holder is an early claim, which this
    // delivery (not known to act) cannot take over: a confirmed delivery that acts takes it over (holdToAct).
    const holder = record.claimActing ? 'a delivery GuardDuty confirmed, acting on it' : 'another delivery, not yet known to act';
    const verdict = block(
      BEING_ANSWERED,
      `incident ${incidentId} is being answered now by ${holder}${until}: this delivery changes nothing and is retried, to find the incident answered or to claim it`,
    );
    const skip: NoteRun = async () => ({ status: 'skipped', reason: `incident ${incidentId} is being answered by another delivery: it sends the notification` });
    const repeatSteps = (_doc: () => PlanDocument, targets: NoteTargets): PlannedStep[] =>
      this.noteSteps(targets, 'the delivery that holds the incident notifies for it; this one is retried and reports only what is new then', skip, skip);
    return { kind: 'repeat', reads: this.settledReads(), verdicts: [verdict], repeatSteps, finish: async () => undefined };
  }

  /**
   * The incident this delivery joined was answered, with no change needed, after the pointer was read: the finding must
   * not join it (it would never be answered itself). Nothing is changed, nothing sent; the invocation fails (BEING_ANSWERED
   * is retried), and its retry finds the answer when it opens the incident, and opens one of its own.
   */
  private async settleReopen(record: LedgerRecord): Promise<SettledGate> {
    await this.releaseOwnSlot();
    const { incidentId } = this;
    const verdict = block(
      BEING_ANSWERED,
      `incident ${incidentId} was answered at ${record.respondedAt ?? '(unknown)'} with no change needed (${record.answerKind ?? 'kind not recorded'}) while this delivery ` +
        'was joining it: a finding cannot join such an answer, so this delivery changes nothing and is retried, to open an incident of its own',
    );
    const skip: NoteRun = async () => ({ status: 'skipped', reason: `incident ${incidentId} was answered with no change needed: this delivery's retry answers its finding in an incident of its own` });
    const repeatSteps = (_doc: () => PlanDocument, targets: NoteTargets): PlannedStep[] =>
      this.noteSteps(targets, 'the retry, in an incident of its own, notifies for this finding', skip, skip);
    return { kind: 'repeat', reads: this.settledReads(), verdicts: [verdict], repeatSteps, finish: async () => undefined };
  }

  /** The note's email step and, when the stack has a chat topic, its chat step: the same note, the same stage, each published once. */
  private noteSteps(targets: NoteTargets, why: string, email: NoteRun, chat: NoteRun): PlannedStep[] {
    return [
      publishStep({ topicArn: targets.topicArn, subject: '<what is new about the incident>', message: '<short note>', why, stage: 1, run: email }),
      ...(targets.chatTopicArn
        ? [
            publishStep({
              spec: PUBLISH_CHAT_NOTIFICATION,
              id: CHAT_NOTIFICATION_STEP_ID,
              title: 'Notify the security team in chat',
              topicArn: targets.chatTopicArn,
              subject: '<what is new about the incident>',
              message: '<AWS Chatbot custom notification JSON of the same short note>',
              why: `${why} (the chat copy, AWS Chatbot)`,
              stage: 1,
              run: chat,
            }),
          ]
        : []),
    ];
  }

  /**
   * A notify delivery meets an incident answered by another playbook (or by
   * none confirmed). notify asks GuardDuty nothing, so this may be a forged
   * notify-routed copy of the finding: it writes nothing to the record and
   * sends no REPEAT note (both belong to the playbook that answered). The
   * ledger's own conditions hold the same rule against races (noteRepeat).
   */
  private async settleForeign(record: LedgerRecord): Promise<SettledGate> {
    await this.releaseOwnSlot();
    const { playbook } = this.input;
    const { incidentId } = this;
    const owner = record.playbook ?? 'no confirmed playbook';
    const verdict = block(
      ALREADY_ANSWERED,
      `incident ${incidentId} was answered at ${record.respondedAt ?? '(unknown)'} (${record.respondedMode ?? 'unknown'}) by ${owner}: ` +
        `${playbook} does not confirm findings with GuardDuty, so this delivery changes nothing and leaves the ledger alone`,
    );
    const skip: NoteRun = async () => ({ status: 'skipped', reason: `incident ${incidentId} belongs to ${owner}: ${playbook} sends no REPEAT note for it` });
    const repeatSteps = (_doc: () => PlanDocument, targets: NoteTargets): PlannedStep[] =>
      this.noteSteps(targets, `only ${owner} reports on its incident; ${playbook} writes no count and sends no note for it`, skip, skip);
    return { kind: 'repeat', reads: this.settledReads(), verdicts: [verdict], repeatSteps, finish: async () => undefined };
  }

  private async settleRepeat(record: LedgerRecord): Promise<SettledGate> {
    await this.releaseOwnSlot();
    const { ledger } = this.options;
    const { finding, playbook } = this.input;
    const { incidentId } = this;
    const noted = await this.reads.read(RECORD_INCIDENT, `Count this delivery of incident ${incidentId} in the ledger`, this.ledgerKey, () => ledger.noteRepeat(incidentId, finding, playbook));
    // The record became another playbook's since the claim was read (notify only): nothing is said for it.
    const owned = !noted.ok || noted.value.owned;
    // Not known whether the count grew: say it again rather than not at all.
    const countGrew = noted.ok ? noted.value.countGrew : true;
    const count = findingCountOf(finding);
    const verdict = block(ALREADY_ANSWERED, `incident ${incidentId} was answered at ${record.respondedAt ?? '(unknown)'} (${record.respondedMode ?? 'unknown'}): this delivery changes nothing and only updates the ledger`);
    return this.settleWithNote(record, verdict, {
      why: 'an earlier notification that failed is sent again; a finding that occurred again is reported once per new count',
      ...(owned ? {} : { notOwned: `incident ${incidentId} now belongs to another playbook: ${playbook} sends no REPEAT note for it` }),
      note: (doc, context) => (countGrew ? repeatNote(doc, { record, count, ledgerTable: ledger.tableName, ledgerKey: this.ledgerKey }, context) : undefined),
      nothingNew: `already reported at count ${record.notifiedCount}: nothing new to say`,
      sentDetail: `count ${record.notifiedCount} -> ${count}`,
    });
  }

  /**
   * A confirmed finding about a resource whose incident another finding
   * opened and answered (the resource is contained, or would be in dry-run):
   * it joins that incident. It takes no brake slot, runs no step (no
   * snapshot set, no isolation), is added to the incident's findings in the
   * ledger, and is announced once in a short note.
   */
  private async settleJoin(record: LedgerRecord): Promise<SettledGate> {
    await this.releaseOwnSlot();
    const { ledger } = this.options;
    const { finding } = this.input;
    const { incidentId } = this;
    const noted = await this.reads.read(RECORD_INCIDENT, `Join finding ${finding.id} to incident ${incidentId} in the ledger`, this.ledgerKey, () => ledger.noteJoin(incidentId, finding));
    // Not known whether an earlier delivery of the finding announced it: say it again rather than not at all.
    const joinedNow = noted.ok ? noted.value.joined : true;
    const findings = noted.ok ? noted.value.findings : undefined;
    const about = this.input.opened.resource ?? 'its resource';
    const verdict = block(
      JOINED_INCIDENT,
      `finding ${finding.id} is about ${about}, whose incident ${incidentId} was answered at ${record.respondedAt ?? '(unknown)'} (${record.respondedMode ?? 'unknown'}): ` +
        'it joins that incident and changes nothing (no containment slot, no snapshot set, no isolation)',
    );
    return this.settleWithNote(record, verdict, {
      why: 'a new finding about a resource whose incident is answered is announced once, in a short note',
      note: (doc, context) =>
        joinedNow ? joinNote(doc, { record, resource: about, ledgerTable: ledger.tableName, ledgerKey: this.ledgerKey, ...(findings !== undefined ? { findings } : {}) }, context) : undefined,
      nothingNew: `finding ${finding.id} joined incident ${incidentId} before, and was announced then: nothing new to say`,
      sentDetail: `finding ${finding.id} joined incident ${incidentId}`,
    });
  }

  /**
   * The steps of a delivery that changes nothing: a note, or the notification an earlier delivery could not send
   * (that first), by email and, when the stack has a chat topic, in chat. The note is rendered once, for both.
   * A failed email keeps the note pending in the ledger, for the next delivery (or Lambda's retry), with its chat
   * copy when that did not go out either; a chat copy alone that failed is reported, not kept (as for a response's).
   */
  private settleWithNote(
    record: LedgerRecord,
    verdict: GuardVerdict,
    say: {
      readonly why: string;
      readonly notOwned?: string;
      readonly note: (doc: PlanDocument, context: NotificationContext) => NoteDocument | undefined;
      readonly nothingNew: string;
      readonly sentDetail: string;
    },
  ): SettledGate {
    const { ledger } = this.options;
    const { playbook } = this.input;
    const { incidentId } = this;
    const pending = record.pendingNotification;
    let note: Promise<PendingNotification | undefined> | undefined;
    const toSend = (doc: () => PlanDocument, targets: NoteTargets): Promise<PendingNotification | undefined> =>
      (note ??= pending
        ? Promise.resolve(pending)
        : contextOf(targets.context).then((context) => {
            const built = say.note(doc(), context ?? { finding: this.input.finding });
            return built ? renderedNote(built) : undefined;
          }));
    let attempted: PendingNotification | undefined;
    const what = pending ? 'the notification an earlier delivery could not send' : say.sentDetail;
    const repeatSteps = (doc: () => PlanDocument, targets: NoteTargets): PlannedStep[] => {
      const { topicArn, chatTopicArn, sns } = targets;
      const email: NoteRun = async (ctx) => {
        if (!topicArn) return { status: 'skipped', reason: 'no SNS topic configured (set --topic-arn or IR_TOPIC_ARN)' };
        if (say.notOwned) return { status: 'skipped', reason: say.notOwned };
        const owed = await toSend(doc, targets);
        if (!owed) return { status: 'skipped', reason: say.nothingNew };
        attempted = owed;
        // A pending notification whose delivery is unknown goes out marked MAY REPEAT; never sent twice within this invocation.
        const messageId = await publishOnce(sns ?? ctx.clients.sns, topicArn, pending ? pendingToSend(owed) : owed);
        return { status: 'done', detail: `${what}: message ${messageId ?? '(no id)'}` };
      };
      const chat: NoteRun = async (ctx) => {
        if (!chatTopicArn) return { status: 'skipped', reason: 'no chat topic configured' };
        if (say.notOwned) return { status: 'skipped', reason: say.notOwned };
        const owed = await toSend(doc, targets);
        if (!owed) return { status: 'skipped', reason: say.nothingNew };
        if (!owed.chat) {
          return {
            status: 'skipped',
            reason: 'the chat copy of the notification an earlier delivery could not send is not owed: it went out then, or it was kept before chat copies were',
          };
        }
        const messageId = await publishOnce(sns ?? ctx.clients.sns, chatTopicArn, pending ? pendingChatToSend(owed.chat) : owed.chat);
        return { status: 'done', detail: `${what} (chat copy): chat message ${messageId ?? '(no id)'}` };
      };
      return this.noteSteps(targets, say.why, email, chat);
    };
    const finish = async (report: Report): Promise<void> => {
      const notify = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID);
      const chat = report.steps.find((s) => s.id === CHAT_NOTIFICATION_STEP_ID);
      if (notify?.status === 'done' && pending) await ledger.settleNotification(incidentId, { sent: true }, playbook);
      if (notify?.status === 'failed' && attempted) await ledger.settleNotification(incidentId, { pending: pendingAfterFailure(attempted, notify, chat) }, playbook);
    };
    return { kind: 'repeat', reads: this.settledReads(), verdicts: [verdict], repeatSteps, finish };
  }

  private async finishFirst(token: string, report: Report, doc: PlanDocument): Promise<OutcomeWrite> {
    const notify = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID);
    // Answered only when its changes are done or none was needed (lambda/ledger/answered.ts). Anything undecided (a denied
    // read, the brake, a delivery GuardDuty did not confirm, which may be a forged copy) leaves the right to act open.
    const answer = answerOf(report);
    // An unconfirmed delivery only gives the claim back: its finding fields, steps and notification are not the incident's.
    const confirmed = !isUnconfirmedDelivery(report.blockedBy);
    const pendingNotification = confirmed && notify?.status === 'failed' ? pendingOfReport(report, doc, { finding: this.input.finding }) : undefined;
    // A restore record that could not be written changed nothing in the account: the slot goes back like any unused one.
    const acted = changedAccount(report);
    const [, written] = await Promise.all([
      acted ? Promise.resolve() : this.releaseOwnSlot(),
      this.options.ledger.recordOutcome({
        incidentId: this.incidentId,
        token,
        report,
        level: this.options.level,
        answered: answer.answered,
        ...(answer.answered ? { answerKind: answer.kind } : {}),
        ...(confirmed ? { confirmed: { finding: this.input.finding, playbook: this.input.playbook } } : {}),
        ...(pendingNotification ? { pendingNotification } : {}),
      }),
    ]);
    return written;
  }
}
