import { createHash, randomUUID } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ResponderError } from '../aws/errors';
import { isConditionFailure, map, n, s, stringOf, type Item } from '../ledger/attributes';
import { incidentKey } from '../ledger/incident-ledger';
import type { FindingIdentifier } from './finding-identifier';

/*
 * A Security Hub note the ledger owes. On a finding's first response
 * Security Hub usually does not hold the finding yet (GuardDuty sends it
 * there within about 5 minutes), and BatchUpdateFindings answers
 * FindingNotFound. The note is then recorded as owed, on the incident's
 * ledger item (attribute securityHubNote: the request to send, exactly as
 * the response built it), and written once Security Hub says it imported the
 * finding (lambda/close-loop/deliver-owed-notes.ts).
 *
 * The import event names the finding, not the incident, so the ledger also
 * keeps one small pointer item per such finding (pk `securityhub-note#<hash
 * of the finding ARN>`) naming the incident, as it keeps one per resource
 * (lambda/ledger/resource-incidents.ts). The pointer is written first: a
 * pointer without a note leads nowhere, a note without a pointer is never
 * found, and the response reports the failure either way.
 *
 * Writing it is claimed with a conditional write carrying a token and a
 * lease (progress `owed` → `writing` → `written`), so concurrent import
 * events (Security Hub emits one for each update of the finding, our own
 * BatchUpdateFindings included) write it once; a crashed writer's claim
 * lapses at the end of its lease. The SDK retries a write whose answer was
 * lost: the retry fails its condition against the first attempt's write and
 * recognises its own token.
 */

export const OWED_NOTE_KEY_PREFIX = 'securityhub-note#';

/** The incident item's attribute holding the note. */
export const OWED_NOTE_ATTRIBUTE = 'securityHubNote';

export function owedNotePointerKey(findingArn: string): Item {
  return { pk: s(`${OWED_NOTE_KEY_PREFIX}${createHash('sha256').update(findingArn).digest('hex').slice(0, 32)}`) };
}

/** The request the response would have sent: everything the later write sends comes from here, never from the import event. */
export interface OwedNote {
  readonly identifier: FindingIdentifier;
  readonly text: string;
  readonly author: string;
  /** Workflow.Status to set with the note; absent: the status is left alone. */
  readonly status?: string;
}

export type NoteProgress = 'owed' | 'writing' | 'written';

/** What recording the note came to: refused, the incident's record is another playbook's (a report-only delivery). */
export type OweOutcome = 'owed' | 'refused';

/** A note this writer holds the claim to write, until leaseUntil. */
export interface TakenNote {
  readonly incidentId: string;
  readonly token: string;
  readonly note: OwedNote;
}

/** The workflow statuses the configuration allows (securityHub.workflowStatusWhenActed): NEW and SUPPRESSED are never set. */
const NOTE_STATUSES: ReadonlySet<string> = new Set(['NOTIFIED', 'RESOLVED']);

const NAMES = { '#note': OWED_NOTE_ATTRIBUTE, '#progress': 'progress' };

/** The note as the ledger holds it; an item that is not one of ours fails loudly rather than sending something else. */
function owedNoteOf(incidentId: string, value: Item[string] | undefined): OwedNote {
  const note = value?.M;
  const text = note?.text?.S;
  const author = note?.author?.S;
  const id = note?.findingArn?.S;
  const productArn = note?.productArn?.S;
  const status = note?.status?.S;
  if (text === undefined || author === undefined || id === undefined || productArn === undefined) {
    throw new ResponderError('OwedNoteUnreadable', `the Security Hub note owed on incident ${incidentId} lacks its text, author or finding: nothing is sent`);
  }
  if (status !== undefined && !NOTE_STATUSES.has(status)) {
    throw new ResponderError('OwedNoteUnreadable', `the Security Hub note owed on incident ${incidentId} asks for workflow status ${status}, which the responder never sets: nothing is sent`);
  }
  return { identifier: { Id: id, ProductArn: productArn }, text, author, ...(status !== undefined ? { status } : {}) };
}

export class OwedNotes {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records the note as owed on the incident's item, and the pointer from the
   * finding to the incident. `reportOnly` (notify, which GuardDuty confirms
   * nothing for) records it only where no acting playbook's outcome is, as
   * every notify write to the ledger (lambda/ledger/incident-ledger.ts).
   */
  async owe(incidentId: string, note: OwedNote, reportOnly: string | undefined): Promise<OweOutcome> {
    const at = s(this.now().toISOString());
    const findingArn = note.identifier.Id;
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: owedNotePointerKey(findingArn),
        UpdateExpression: 'SET incidentId = :incidentId, findingArn = :findingArn, owedAt = :at',
        ExpressionAttributeValues: { ':incidentId': s(incidentId), ':findingArn': s(findingArn), ':at': at },
      }),
    );
    const value = map({
      findingArn: s(findingArn),
      productArn: s(note.identifier.ProductArn),
      text: s(note.text),
      author: s(note.author),
      status: note.status !== undefined ? s(note.status) : undefined,
      progress: s('owed'),
      owedAt: at,
    });
    // The incident's item exists: the delivery claimed it before planning. A missing one is a broken ledger, not an incident to create here.
    const exists = 'attribute_exists(pk)';
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET #note = :note',
          ConditionExpression: reportOnly ? `${exists} AND (attribute_not_exists(playbook) OR playbook = :reportOnly)` : exists,
          ExpressionAttributeNames: { '#note': OWED_NOTE_ATTRIBUTE },
          ExpressionAttributeValues: { ':note': value, ...(reportOnly ? { ':reportOnly': s(reportOnly) } : {}) },
        }),
      );
      return 'owed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (reportOnly) return 'refused';
      throw new ResponderError('IncidentNotInLedger', `the ledger holds no item for incident ${incidentId}: the Security Hub note cannot be recorded as owed`);
    }
  }

  /** The incident that owes a note for this finding, if any (a consistent read: the note may have been recorded a moment ago). */
  async incidentOwing(findingArn: string): Promise<string | undefined> {
    const answer = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: owedNotePointerKey(findingArn), ConsistentRead: true }));
    // The pointer's key is a hash: it names this finding only if it says so.
    if (stringOf(answer.Item, 'findingArn') !== findingArn) return undefined;
    return stringOf(answer.Item, 'incidentId');
  }

  /**
   * Claims the writing of the note the incident owes for this finding: only
   * when it is still owed (or its writer's lease ran out). undefined: nothing
   * to write (written already, being written, or owed for another finding).
   */
  async take(incidentId: string, findingArn: string, leaseMs: number): Promise<TakenNote | undefined> {
    const nowMs = this.now().getTime();
    const token = randomUUID();
    try {
      const answer = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET #note.#progress = :writing, #note.claimToken = :token, #note.leaseUntil = :until',
          ConditionExpression: '#note.findingArn = :findingArn AND (#note.#progress = :owed OR (#note.#progress = :writing AND #note.leaseUntil < :nowMs))',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ':writing': s('writing'),
            ':owed': s('owed'),
            ':token': s(token),
            ':until': n(nowMs + leaseMs),
            ':nowMs': n(nowMs),
            ':findingArn': s(findingArn),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { incidentId, token, note: owedNoteOf(incidentId, answer.Attributes?.[OWED_NOTE_ATTRIBUTE]) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const held = error.Item?.[OWED_NOTE_ATTRIBUTE];
      // The SDK's retry of this very claim, its answer lost: the claim is ours.
      if (held?.M?.claimToken?.S === token) return { incidentId, token, note: owedNoteOf(incidentId, held) };
      return undefined;
    }
  }

  /** The note was written: it is owed no more. Conditional on the claim, so a writer whose lease ran out and was taken over writes nothing. */
  async markWritten(taken: TakenNote): Promise<void> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(taken.incidentId),
          UpdateExpression: 'SET #note.#progress = :written, #note.writtenAt = :at, #note.writtenBy = :token REMOVE #note.claimToken, #note.leaseUntil',
          ConditionExpression: '#note.claimToken = :token',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':written': s('written'), ':at': s(this.now().toISOString()), ':token': s(taken.token) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The SDK's retry of this very write after its answer was lost finds it done.
      if (error.Item?.[OWED_NOTE_ATTRIBUTE]?.M?.writtenBy?.S === taken.token) return;
      throw new ResponderError('OwedNoteClaimLost', `the claim on incident ${taken.incidentId}'s Security Hub note was taken over before it was marked written`);
    }
  }

  /** The write failed: the note is owed again, for the retry or the next import event. Only while the claim is still this writer's. */
  async giveBack(taken: TakenNote): Promise<void> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(taken.incidentId),
          UpdateExpression: 'SET #note.#progress = :owed REMOVE #note.claimToken, #note.leaseUntil',
          ConditionExpression: '#note.claimToken = :token',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':owed': s('owed'), ':token': s(taken.token) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
