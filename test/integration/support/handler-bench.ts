import { CreateTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startLatencyProxy, type LatencyProxy } from '../../../bench/latency-proxy';
import { EMULATOR_REGION, emulatorClientOptions } from '../../../emulator/clients';
import { EMULATOR_CONFIG_OVERRIDES } from '../../../emulator/runtime-config';
import { sdkClientConfig } from '../../../lambda/aws/clients';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import type { Report } from '../../../lambda/plan/document';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';
import { handleAs } from '../../support/playbook-entries';
import { freshSeededAccount, type EmulatedAccount } from './account';
import { readInbox, type Notification } from './inbox';

/*
 * The real Lambda handler (each playbook's entry point) against a freshly
 * seeded emulator account with the incident ledger in it, as in Lambda:
 * the handler builds its own clients, which reach AWS only through
 * AWS_ENDPOINT_URL. Pointed at moto itself, or at the fault-injecting proxy
 * (bench/latency-proxy.ts) in front of it. Whatever a test reads back (the
 * ledger, the account, the inbox) goes straight to moto, never through the
 * proxy.
 */

export const LEDGER_TABLE = 'incident-ledger';

export type LedgerItem = Record<string, AttributeValue>;

export interface Invocation {
  readonly playbook?: PlaybookName;
  /** Merged over the default configuration (emulator overrides, enforce mode). */
  readonly config?: Partial<RuntimeConfig>;
  /** Merged over the environment (evidence bucket, ...). */
  readonly environment?: Partial<LambdaEnvironment>;
  /** The context's remaining time; a number is fixed, a function is called each time. Default 50 s. */
  readonly remainingMs?: number | (() => number);
  /** Lambda's request id (the same on Lambda's retries of one event). */
  readonly awsRequestId?: string;
}

export interface HandlerBench {
  readonly account: EmulatedAccount;
  /** Straight to moto: the ledger as it is. */
  readonly dynamodb: DynamoDBClient;
  /** What the handler's clients are pointed at: moto's endpoint, or the proxy's. */
  readonly endpoint: string;
  /** One run of the handler; a failed invocation rejects with its error, as in Lambda. */
  invoke(event: unknown, options?: Invocation): Promise<Report>;
  /** A ledger item by key (`incident#…`, `brake#latch`, `restore#…`), read consistently. */
  item(pk: string): Promise<LedgerItem | undefined>;
  /** Every notification published since the last read. */
  inbox(): Promise<Notification[]>;
  /** The environment variable as it was, the proxy closed. */
  close(): Promise<void>;
}

export interface ProxiedHandlerBench extends HandlerBench {
  /** Between the handler's clients and moto: faults and latency are armed here. */
  readonly proxy: LatencyProxy;
}

/** The ledger table, in moto, and a client straight to it. */
export async function createLedgerTable(account: EmulatedAccount): Promise<DynamoDBClient> {
  const dynamodb = new DynamoDBClient(sdkClientConfig(emulatorClientOptions(account.endpoint)));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: LEDGER_TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return dynamodb;
}

/** The Lambda's environment for the emulated account: enforce mode, the ledger, the seeded topic. */
export function handlerEnvironment(account: EmulatedAccount, options: Pick<Invocation, 'playbook' | 'config' | 'environment'> = {}): LambdaEnvironment {
  return {
    playbook: options.playbook ?? 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode: 'enforce', ...options.config },
    topicArn: account.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: LEDGER_TABLE,
    ...options.environment,
  };
}

/** Lambda's context: the function's ARN, the remaining time and the request id. */
export function handlerContext(account: EmulatedAccount, options: Pick<Invocation, 'playbook' | 'remainingMs' | 'awsRequestId'> = {}) {
  const remaining = options.remainingMs ?? 50_000;
  return {
    invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${account.seed.accountId}:function:ir-${options.playbook ?? 'contain-instance'}`,
    getRemainingTimeInMillis: typeof remaining === 'number' ? () => remaining : remaining,
    ...(options.awsRequestId !== undefined ? { awsRequestId: options.awsRequestId } : {}),
  };
}

export interface BenchOptions {
  /** The account the handler runs in (the ledger's): one already made and seeded (the security account of two); default a fresh seeded one. */
  readonly account?: EmulatedAccount;
}

/** A seeded account and its ledger; the handler's clients pointed at moto. */
export function startHandlerBench(options: BenchOptions = {}): Promise<HandlerBench> {
  return start(options, undefined);
}

/** A seeded account and its ledger; the handler's clients pointed at the proxy, which forwards to moto. */
export async function startProxiedHandlerBench(options: BenchOptions & { readonly latencyMs?: number } = {}): Promise<ProxiedHandlerBench> {
  let proxy: LatencyProxy | undefined;
  const bench = await start(options, async (account) => {
    proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: options.latencyMs ?? 0 });
    return proxy;
  });
  return { ...bench, proxy: proxy! };
}

async function start(options: BenchOptions, withProxy: ((account: EmulatedAccount) => Promise<LatencyProxy>) | undefined): Promise<HandlerBench> {
  const account = options.account ?? (await freshSeededAccount());
  const dynamodb = await createLedgerTable(account);
  const proxy = withProxy ? await withProxy(account) : undefined;
  const endpoint = proxy?.endpoint ?? account.endpoint;
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = endpoint;
  return {
    account,
    dynamodb,
    endpoint,
    invoke: async (event, options = {}) => (await handleAs(event, handlerContext(account, options), handlerEnvironment(account, options))) as Report,
    item: async (pk) => (await dynamodb.send(new GetItemCommand({ TableName: LEDGER_TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item,
    inbox: () => readInbox(account.sqs, account.seed.notifications.inboxQueueUrl),
    close: async () => {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
      proxy?.clearFaults();
      await proxy?.close();
    },
  };
}
