import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createAwsClients, type AwsClientOptions, type AwsClients, type ClientClasses } from './clients';
import { ResponderError, toStepError } from './errors';
import { MEMBER_SESSION_SECONDS, memberRoleArn } from './member-role';

/*
 * How the responder reaches the account a finding names. In its own (home)
 * account it uses its own credentials; in any other account it assumes the
 * member role there. Every client, STS included, comes from the one client
 * seam with the same base options, so an endpoint (the emulator) and the
 * retry policy apply to AssumeRole too.
 */

export interface HomeIdentity {
  readonly accountId: string;
  readonly partition: string;
}

export interface AccountAccessOptions {
  /** Who the responder runs as: from the Lambda context, or asked of STS by `ir`. Asked once. */
  readonly home: () => Promise<HomeIdentity>;
  readonly memberRoleName: string;
  /** Endpoint, retries, timeouts and the caller's own credentials; the region is the finding's. */
  readonly base: Omit<AwsClientOptions, 'region'>;
  /** The SDK client classes this process bundles (lambda/aws/clients.ts). */
  readonly clientClasses: ClientClasses;
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

export interface AccountTarget {
  readonly accountId: string;
  readonly region: string;
  /** Carries the finding id into the member account's CloudTrail. */
  readonly sessionName: string;
}

/**
 * Refresh this long before expiry. The SDK treats credentials that expire
 * within 5 minutes as expired and asks again; refreshing at the same mark
 * means it is never handed credentials it would refuse.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The member role could not be assumed: the AWS error code is kept, the message names the role and the account. */
export class MemberRoleError extends ResponderError {
  readonly roleArn: string;
  readonly accountId: string;

  constructor(roleArn: string, accountId: string, cause: unknown) {
    const aws = toStepError(cause);
    super(aws.code, `cannot assume role ${roleArn} in account ${accountId}: ${aws.message}`, aws.retryable);
    this.roleArn = roleArn;
    this.accountId = accountId;
  }
}

/**
 * Sessions and clients kept per container. Each finding has a session of
 * its own (its id is the session name), so a warm container answering a
 * stream of findings would otherwise keep every one of them.
 */
export const MAX_CACHED_SESSIONS = 32;

/** Sets the entry, then forgets the oldest entries beyond `max` (a Map iterates in insertion order). */
function rememberAtMost<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

type Expiring = AwsCredentialIdentity & { readonly expiration: Date };

interface Session {
  readonly credentials: Promise<Expiring>;
  /** Set once AssumeRole has answered. */
  expiresAt?: number;
}

export class AccountAccess {
  readonly memberRoleName: string;
  private readonly options: AccountAccessOptions;
  private readonly now: () => number;
  private identity: Promise<HomeIdentity> | undefined;
  private readonly homeClientsByRegion = new Map<string, AwsClients>();
  /** By role ARN and session name: one finding's session is never reused for another finding's calls. */
  private readonly sessions = new Map<string, Session>();
  private readonly memberClients = new Map<string, AwsClients>();

  constructor(options: AccountAccessOptions) {
    this.options = options;
    this.memberRoleName = options.memberRoleName;
    this.now = options.now ?? Date.now;
  }

  homeIdentity(): Promise<HomeIdentity> {
    if (!this.identity) {
      const asked = this.options.home();
      // A failed look-up is not remembered: the next finding asks again.
      asked.catch(() => {
        if (this.identity === asked) this.identity = undefined;
      });
      this.identity = asked;
    }
    return this.identity;
  }

  /** The responder's own clients, e.g. for the notification topic, which lives in the home account. */
  homeClients(region: string): AwsClients {
    let clients = this.homeClientsByRegion.get(region);
    if (!clients) {
      clients = createAwsClients({ ...this.options.base, region }, this.options.clientClasses);
      this.homeClientsByRegion.set(region, clients);
    }
    return clients;
  }

  async memberRoleArn(accountId: string): Promise<string> {
    return memberRoleArn((await this.homeIdentity()).partition, accountId, this.memberRoleName);
  }

  /**
   * Clients acting in the target account and region. For another account the
   * role is assumed now, before anything is read, so a missing role is known
   * up front; throws MemberRoleError then.
   */
  async clientsIn(target: AccountTarget): Promise<AwsClients> {
    const home = await this.homeIdentity();
    if (target.accountId === home.accountId) return this.homeClients(target.region);
    const roleArn = memberRoleArn(home.partition, target.accountId, this.memberRoleName);
    try {
      await this.credentials(roleArn, target.sessionName, target.region);
    } catch (error) {
      throw new MemberRoleError(roleArn, target.accountId, error);
    }
    const key = `${roleArn}|${target.sessionName}|${target.region}`;
    let clients = this.memberClients.get(key);
    if (!clients) {
      clients = createAwsClients(
        {
          ...this.options.base,
          region: target.region,
        credentials: () => this.credentials(roleArn, target.sessionName, target.region),
        },
        this.options.clientClasses,
      );
      rememberAtMost(this.memberClients, key, clients, MAX_CACHED_SESSIONS);
    }
    return clients;
  }

  /** Synchronous look-up, so concurrent callers share one AssumeRole instead of racing. */
  private credentials(roleArn: string, sessionName: string, region: string): Promise<Expiring> {
    const key = `${roleArn}|${sessionName}`;
    const entry = this.sessions.get(key);
    // In flight (no expiry known yet), or fresh enough: share it.
    if (entry && (entry.expiresAt === undefined || entry.expiresAt - this.now() > REFRESH_BEFORE_EXPIRY_MS)) return entry.credentials;
    const session: Session = { credentials: this.assume(roleArn, sessionName, region) };
    rememberAtMost(this.sessions, key, session, MAX_CACHED_SESSIONS);
    session.credentials.then(
      (credentials) => {
        session.expiresAt = credentials.expiration.getTime();
      },
      // A failure is not remembered: the next call tries again.
      () => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      },
    );
    return session.credentials;
  }

  private async assume(roleArn: string, sessionName: string, region: string): Promise<Expiring> {
    const { Credentials: c } = await this.homeClients(region).sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: MEMBER_SESSION_SECONDS }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new ResponderError('IncompleteCredentials', 'AssumeRole answered without complete credentials');
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }
}
