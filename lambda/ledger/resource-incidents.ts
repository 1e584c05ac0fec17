import { createHash, randomUUID } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, n, numberOf, s, stringOf, type Item } from './attributes';
import { incidentKey } from './incident-ledger';

/*
 * One incident per resource. The ledger keeps, beside the incident items,
 * one small item per resource (pk `resource#<hash>`) naming the incident open
 * for it. A finding about a resource with an incident still open, opened
 * within the join window and not closed by `ir release`, joins that incident
 * (its id is used for the claim, the brake, the tags and the evidence);
 * otherwise it opens one. One conditional write decides, so findings about
 * one instance arriving together open one incident.
 *
 * The window runs from the incident's opening and never moves: no finding,
 * genuine or forged, keeps an incident open by arriving. Joining decides
 * nothing by itself either: a finding that joins an incident nobody has
 * answered claims it and acts as the first would (lambda/respond/open-incident.ts),
 * so a forged finding that opened the incident first silences nothing.
 *
 * The first incident of a resource takes the id of the finding that opens
 * it (lambda/respond/incident-id.ts, as before there were resource
 * incidents); a later one an id chained to the one it follows, so no two
 * incidents of a resource ever share an id (and its snapshots and evidence).
 */

export const RESOURCE_KEY_PREFIX = 'resource#';

export function resourceKey(resource: string): Item {
  return { pk: s(`${RESOURCE_KEY_PREFIX}${createHash('sha256').update(resource).digest('hex').slice(0, 32)}`) };
}

/** The id of the incident that follows `previous` on the same resource, opened by the finding whose own id is `proposed`. */
export function nextIncidentId(proposed: string, previous: string): string {
  return `ir-${createHash('sha256').update(`${proposed}>${previous}`).digest('hex').slice(0, 16)}`;
}

export interface ResourceIncident {
  readonly incidentId: string;
  /** This finding opened the incident (false: it joins one another finding opened). */
  readonly opened: boolean;
  readonly openedAt: string | undefined;
  /** The finding that opened it. */
  readonly openedBy: string | undefined;
}

export interface OpenInput {
  readonly resource: string;
  readonly findingId: string;
  /** The finding's own incident id (incidentIdOf): the id of the resource's first incident. */
  readonly proposedId: string;
  readonly windowMs: number;
  /**
   * Open a new incident in place of this one, whatever its state (the incident was answered with no change
   * needed: the finding is decided on its own). Absent: join the open incident, if there is one.
   */
  readonly replacing?: string;
}

/** Writes of the pointer at most: the first, and one after each time another finding moved it on. */
const MAX_WRITES = 4;

export class ResourceIncidents {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async open(input: OpenInput): Promise<ResourceIncident> {
    const nowMs = this.now().getTime();
    const windowStart = nowMs - input.windowMs;
    let previous = input.replacing;
    let replace = input.replacing !== undefined;
    for (let write = 0; write < MAX_WRITES; write += 1) {
      const incidentId = previous === undefined ? input.proposedId : nextIncidentId(input.proposedId, previous);
      const token = randomUUID();
      const condition: { expression: string; values: Item } =
        previous === undefined
          ? { expression: 'attribute_not_exists(pk)', values: {} }
          : replace
            ? { expression: 'incidentId = :previous', values: { ':previous': s(previous) } }
            : { expression: 'incidentId = :previous AND (attribute_exists(closedAt) OR openedAtMs < :windowStart)', values: { ':previous': s(previous), ':windowStart': n(windowStart) } };
      const old = await this.write(input, incidentId, token, nowMs, condition);
      // Written, or written by this very request before its answer was lost (the SDK's retry found its own token).
      if (old === undefined || stringOf(old, 'openToken') === token) {
        return { incidentId, opened: true, openedAt: new Date(nowMs).toISOString(), openedBy: input.findingId };
      }
      const current = stringOf(old, 'incidentId');
      const live = current !== undefined && old.closedAt === undefined && (numberOf(old, 'openedAtMs') ?? 0) >= windowStart;
      // Another finding opened (or replaced) the resource's incident first: join it, unless it is the one to replace.
      if (live && current !== input.replacing) {
        return { incidentId: current, opened: false, openedAt: stringOf(old, 'openedAt'), openedBy: stringOf(old, 'openedBy') };
      }
      // The resource's incident ended (released, or opened before the window), but this finding is one of its own,
      // delivered again (GuardDuty re-sends a finding as its count grows, for days): it stays a repeat of that incident,
      // and a released false positive is not contained again each time it is re-sent.
      if (!live && current !== undefined && (await this.isConfirmedFindingOf(current, input.findingId))) {
        return { incidentId: current, opened: false, openedAt: stringOf(old, 'openedAt'), openedBy: stringOf(old, 'openedBy') };
      }
      previous = current;
      replace = live;
    }
    throw new Error(`the incident of ${input.resource} moved on ${MAX_WRITES} times while it was opened: too many findings at once, try again`);
  }

  /**
   * Whether GuardDuty confirmed the finding for the incident (findingIds, written by a confirmed outcome or join
   * only: a forged delivery cannot add itself). Asked with a conditional write of lastSeenAt, which the role may make.
   */
  private async isConfirmedFindingOf(incidentId: string, findingId: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET lastSeenAt = :now',
          ConditionExpression: 'contains(findingIds, :findingId)',
          ExpressionAttributeValues: { ':now': s(this.now().toISOString()), ':findingId': s(findingId) },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** The pointer's conditional write; the item as it was when the condition failed, undefined when written. */
  private async write(input: OpenInput, incidentId: string, token: string, nowMs: number, condition: { expression: string; values: Item }): Promise<Item | undefined> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: resourceKey(input.resource),
          UpdateExpression: 'SET incidentId = :incidentId, #resource = :resource, openedAt = :openedAt, openedAtMs = :openedAtMs, openedBy = :findingId, openToken = :token REMOVE closedAt',
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: { '#resource': 'resource' },
          ExpressionAttributeValues: {
            ':incidentId': s(incidentId),
            ':resource': s(input.resource),
            ':openedAt': s(new Date(nowMs).toISOString()),
            ':openedAtMs': n(nowMs),
            ':findingId': s(input.findingId),
            ':token': s(token),
            ...condition.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return error.Item ?? {};
    }
  }

  /**
   * Ends an incident (`ir release` calls this once the resource is restored): a later finding about its resource
   * opens a new incident. Writes closedAt on the incident's item and, if the resource's pointer still names this
   * incident, on the pointer (the resource is the one the claim wrote into the incident's item). Both writes are
   * idempotent: a retry of either is harmless.
   */
  async close(incidentId: string, knownResource?: string): Promise<{ readonly resource: string | undefined }> {
    const at = s(this.now().toISOString());
    let resource = knownResource;
    try {
      const closed = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET closedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      resource = stringOf(closed.Attributes, 'resource') ?? knownResource;
    } catch (error) {
      // No item of the incident (its claim never landed): the resource's pointer, when known, is still closed below.
      if (!isConditionFailure(error) || knownResource === undefined) throw error;
    }
    if (resource === undefined) return { resource };
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: resourceKey(resource),
          UpdateExpression: 'SET closedAt = :at',
          ConditionExpression: 'incidentId = :incidentId',
          ExpressionAttributeValues: { ':at': at, ':incidentId': s(incidentId) },
        }),
      );
    } catch (error) {
      // The resource has moved on to another incident already: nothing of this one is left open.
      if (!isConditionFailure(error)) throw error;
    }
    return { resource };
  }

  /**
   * Ends the incident open for a resource, whichever it is (`ir release`, once the whole containment is undone):
   * the pointer is read (strongly consistent) and the incident it names closed, so the next finding about the
   * resource opens a new incident and can contain it again, instead of joining the released one. Undefined: the
   * ledger holds no incident of the resource (its incidents predate the pointer, or it was never contained).
   */
  async closeResource(resource: string): Promise<{ readonly incidentId: string | undefined }> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: resourceKey(resource), ConsistentRead: true }));
    const incidentId = stringOf(Item, 'incidentId');
    if (incidentId === undefined) return { incidentId };
    await this.close(incidentId, resource);
    return { incidentId };
  }
}
