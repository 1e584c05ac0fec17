import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { presignIdentityProof } from '../../cli/approval/identity-proof';
import { decideCommand, pendingCommand } from '../../cli/commands/approve';
import type { FunctionUrlEvent } from '../../lambda/approval/function-url-event';
import { handleOperatorRequest, type OperatorDependencies } from '../../lambda/approval/operator-channel';
import { sdkClientConfig } from '../../lambda/aws/clients';
import { stsEndpoint } from '../../lambda/aws/sts-endpoint';
import { EMULATOR_REGION, emulatorClientOptions } from '../../emulator/clients';
import { checkPresigned } from '../support/presigned-sts';
import { freshEmulator, type EmulatorConnection } from './support/account';

/*
 * The identity proof of `ir approve` / `ir deny` end to end, through the
 * CLI's own code (decideCommand, the SigV4 call to the decision URL, the
 * presigned GetCallerIdentity) and the decision function's
 * (handleOperatorRequest, verify-identity-proof.ts), with the ledger on the
 * emulator's DynamoDB and the identity answered by the emulator's STS for
 * IAM users and an assumed role made in it.
 *
 * What the emulator cannot do, and what stands in for it here (gaps):
 * - moto does not check SigV4 signatures, and moto server does not even
 *   route a query-presigned request (no Authorization header) to STS: it
 *   sends it to S3. So the function's STS endpoint in this test is a small
 *   stand-in on 127.0.0.1 that checks the presigned signature the way STS
 *   does, with the test's own SigV4 (test/support/presigned-sts.ts) and the
 *   secrets moto's CreateAccessKey handed out, answers SignatureDoesNotMatch
 *   or InvalidClientTokenId as STS would, and otherwise asks moto's STS
 *   GetCallerIdentity for the same access key (in an Authorization header,
 *   which is where moto reads it) and relays moto's answer unchanged.
 * - There is no function URL in moto: a local server stands in for it and
 *   hands the CLI's request to the function as Lambda would, with the caller
 *   ARN of the access key that signed it (IAM's check of that signature is
 *   Lambda's, tested in test/unit/aws/signed-request.test.ts).
 * Real STS, and its own check of the signature and the expiry, are only met
 * in a deployed stack.
 */

const TABLE = 'incident-ledger';
const PLAN_HASH = '3'.repeat(64);
const INCIDENT = 'instance#123456789012#us-east-1#i-0proof';

interface Operator {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly arn: string;
}

let emulator: EmulatorConnection;
let dynamodb: DynamoDBClient;
let alice: Operator;
let mallory: Operator;
let responder: Operator;
let stsStandIn: Server;
let functionUrl: Server;
let stsStandInUrl: string;
let functionUrlBase: string;
/** The decision requests as the function URL received them, and the STS requests as the stand-in received them. */
let posted: string[];
let stsRequests: { url: URL; verdict: string }[];
const saved = { ...process.env };

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => resolve(body));
  });
}

function operators(): Operator[] {
  return [alice, mallory, responder];
}

/** STS for the function: the signature checked as STS checks it, the identity from moto's STS. */
async function answerAsSts(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
  const secrets = new Map(operators().map((o) => [o.accessKeyId, o.secretAccessKey]));
  const check = checkPresigned(request.method ?? 'GET', url, headers, secrets);
  stsRequests.push({ url, verdict: check.status === 'valid' ? 'valid' : check.code });
  if (check.status === 'invalid') {
    const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${check.code}</Code><Message>${check.message}</Message></Error></ErrorResponse>`;
    response.writeHead(check.httpStatus, { 'content-type': 'text/xml' }).end(xml);
    return;
  }
  const scope = url.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const token = url.searchParams.get('X-Amz-Security-Token');
  const answer = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      // moto routes by the credential scope and reads the access key here; it checks no signature.
      authorization: `AWS4-HMAC-SHA256 Credential=${check.accessKeyId}/${scope}, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      ...(token ? { 'x-amz-security-token': token } : {}),
    },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(await answer.text());
}

/** The decision function's URL: the request handed over as a function URL event, with the caller ARN of the key that signed it. */
async function answerAsFunctionUrl(deps: OperatorDependencies, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const url = new URL(request.url ?? '/', functionUrlBase);
  const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
  const caller = operators().find((o) => o.accessKeyId === accessKeyId);
  if (!caller) {
    response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Forbidden' }));
    return;
  }
  if (request.method === 'POST') posted.push(body);
  const event: FunctionUrlEvent = {
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    body,
    requestContext: { http: { method: request.method ?? 'GET' }, authorizer: { iam: { userArn: caller.arn, accountId: '123456789012' } } },
  };
  const answer = await handleOperatorRequest(deps, event, () => Date.now());
  response.writeHead(answer.statusCode, answer.headers).end(answer.body);
}

async function putPending(incidentId: string): Promise<void> {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  await dynamodb.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        pk: { S: `approval#${incidentId}` },
        status: { S: 'pending' },
        planHash: { S: PLAN_HASH },
        plan: { S: JSON.stringify([{ id: 'isolate', target: 'i-0proof' }]) },
        findingId: { S: 'finding-proof' },
        playbook: { S: 'contain-instance' },
        accountId: { S: '123456789012' },
        region: { S: EMULATOR_REGION },
        requestedAt: { S: new Date().toISOString() },
        deadline: { S: inAnHour },
        onTimeout: { S: 'stand-down' },
      },
    }),
  );
}

async function decisionOf(incidentId: string) {
  const item = (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `approval#${incidentId}` } }, ConsistentRead: true }))).Item;
  return { status: item?.status?.S, by: item?.decision?.M?.by?.S, channel: item?.decision?.M?.channel?.S };
}

async function iamUser(name: string): Promise<Operator> {
  const user = await emulator.clients.iam.send(new CreateUserCommand({ UserName: name }));
  const key = await emulator.clients.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey!, arn: user.User!.Arn! };
}

/** The operator's credentials, as `ir` finds them (the environment, through the SDK's default chain). */
function actAs(operator: Operator): void {
  process.env.AWS_ACCESS_KEY_ID = operator.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = operator.secretAccessKey;
  if (operator.sessionToken) process.env.AWS_SESSION_TOKEN = operator.sessionToken;
  else delete process.env.AWS_SESSION_TOKEN;
}

let stdout: jest.SpyInstance;

beforeAll(async () => {
  emulator = await freshEmulator();
  dynamodb = new DynamoDBClient(sdkClientConfig(emulatorClientOptions(emulator.endpoint)));
  await dynamodb.send(
    new CreateTableCommand({ TableName: TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  alice = await iamUser('alice');
  mallory = await iamUser('mallory');
  // An operator on an assumed role, as most are: moto's STS names the session.
  const role = await emulator.clients.iam.send(new CreateRoleCommand({ RoleName: 'IncidentResponders', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
  const asAlice = new STSClient(sdkClientConfig({ ...emulatorClientOptions(emulator.endpoint), credentials: alice }));
  const session = await asAlice.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'bob' }));
  responder = {
    accessKeyId: session.Credentials!.AccessKeyId!,
    secretAccessKey: session.Credentials!.SecretAccessKey!,
    sessionToken: session.Credentials!.SessionToken!,
    arn: session.AssumedRoleUser!.Arn!,
  };

  stsStandIn = createServer((request, response) => void answerAsSts(request, response));
  stsStandInUrl = await listen(stsStandIn);
  const deps: OperatorDependencies = {
    ledger: { dynamodb, table: TABLE },
    evidence: undefined,
    lambda: new LambdaClient(sdkClientConfig(emulatorClientOptions(emulator.endpoint))),
    playbookFunctions: {},
    // The function's STS endpoint comes from the client seam: here the stand-in, as AWS_ENDPOINT_URL would name it.
    proof: { region: EMULATOR_REGION, stsEndpoint: await stsEndpoint({ region: EMULATOR_REGION, endpoint: stsStandInUrl }), fetch: (input, init) => fetch(input, init) },
  };
  functionUrl = createServer((request, response) => void answerAsFunctionUrl(deps, request, response));
  functionUrlBase = await listen(functionUrl);
});

afterAll(async () => {
  process.env = saved;
  await Promise.all([stsStandIn, functionUrl].map((server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))));
});

beforeEach(() => {
  posted = [];
  stsRequests = [];
  // The CLI finds STS through the same seam as every client: AWS_ENDPOINT_URL, here the stand-in.
  process.env.AWS_ENDPOINT_URL = stsStandInUrl;
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

const cli = (planHash?: string, reason?: string) => ({ url: functionUrlBase, region: EMULATOR_REGION, ...(planHash ? { planHash } : {}), ...(reason ? { reason } : {}) });
const printed = () => stdout.mock.calls.map((call) => String(call[0])).join('');

it('ir approve: recorded as the ARN moto’s STS gives the signing key, the proof checked as signed, its nonce spent', async () => {
  await putPending(INCIDENT);
  actAs(alice);
  await expect(decideCommand('approve', INCIDENT, cli(PLAN_HASH))).resolves.toBe(0);
  expect(await decisionOf(INCIDENT)).toEqual({ status: 'approved', by: 'arn:aws:iam::123456789012:user/alice', channel: 'cli' });
  expect(stsRequests.map((r) => r.verdict)).toEqual(['valid']);
  const nonce = (JSON.parse(posted[0]!) as { proof: { nonce: string } }).proof.nonce;
  const spent = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `approval-proof#${nonce}` } }, ConsistentRead: true }));
  expect(spent.Item?.incidentId).toEqual({ S: INCIDENT });
});

it('ir pending then ir deny on an assumed role: recorded as the session STS names', async () => {
  const incident = `${INCIDENT}-deny`;
  await putPending(incident);
  actAs(responder);
  await expect(pendingCommand({ ...cli(), json: true })).resolves.toBe(0);
  expect(printed()).toContain(incident);
  // Reading decides nothing and carries no proof.
  expect(stsRequests).toEqual([]);
  await expect(decideCommand('deny', incident, cli(PLAN_HASH, 'owner is patching'))).resolves.toBe(0);
  expect(responder.arn).toBe('arn:aws:sts::123456789012:assumed-role/IncidentResponders/bob');
  expect(await decisionOf(incident)).toEqual({ status: 'denied', by: responder.arn, channel: 'cli' });
});

it('refuses the same decision request sent again (a replayed proof)', async () => {
  const incident = `${INCIDENT}-replay`;
  await putPending(incident);
  actAs(mallory);
  await expect(decideCommand('deny', incident, cli(PLAN_HASH, 'mine'))).resolves.toBe(0);
  const replay = await fetch(functionUrlBase, { method: 'POST', body: posted[0]!, headers: { authorization: `AWS4-HMAC-SHA256 Credential=${mallory.accessKeyId}/x` } });
  expect(replay.status).toBe(409);
  await expect(replay.json()).resolves.toMatchObject({ status: 'refused', reason: 'proof-replayed' });
  expect(await decisionOf(incident)).toMatchObject({ status: 'denied', by: mallory.arn });
});

it('refuses a proof signed with a wrong secret (SignatureDoesNotMatch, as STS would), recording nothing', async () => {
  const incident = `${INCIDENT}-forged`;
  await putPending(incident);
  actAs({ ...alice, secretAccessKey: 'not-alice-secret' });
  await expect(decideCommand('approve', incident, cli(PLAN_HASH))).resolves.toBe(1);
  expect(printed()).toMatch(/^NOT RECORDED \(sts-refused\): STS refused the identity proof: SignatureDoesNotMatch: /);
  expect(stsRequests.map((r) => r.verdict)).toEqual(['SignatureDoesNotMatch']);
  expect(await decisionOf(incident)).toEqual({ status: 'pending', by: undefined, channel: undefined });
});

it('refuses a direct invoke naming the CISO: without a proof, and with the forger’s own proof', async () => {
  const incident = `${INCIDENT}-ciso`;
  await putPending(incident);
  const deps: OperatorDependencies = {
    ledger: { dynamodb, table: TABLE },
    evidence: undefined,
    lambda: new LambdaClient(sdkClientConfig(emulatorClientOptions(emulator.endpoint))),
    playbookFunctions: {},
    proof: { region: EMULATOR_REGION, stsEndpoint: new URL(stsStandInUrl), fetch: (input, init) => fetch(input, init) },
  };
  const asCiso = (body: Record<string, unknown>): FunctionUrlEvent => ({
    rawPath: '/',
    body: JSON.stringify(body),
    requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/ciso' } } },
  });
  const decision = { incidentId: incident, decision: 'approve' as const, planHash: PLAN_HASH };
  const unproven = await handleOperatorRequest(deps, asCiso(decision), () => Date.now());
  expect([unproven.statusCode, JSON.parse(unproven.body)]).toEqual([403, expect.objectContaining({ reason: 'unproven' })]);
  const proof = await presignIdentityProof({ ...decision, region: EMULATOR_REGION, credentials: mallory });
  const mismatched = await handleOperatorRequest(deps, asCiso({ ...decision, proof }), () => Date.now());
  expect([mismatched.statusCode, JSON.parse(mismatched.body)]).toEqual([403, expect.objectContaining({ reason: 'identity-mismatch' })]);
  expect(await decisionOf(incident)).toEqual({ status: 'pending', by: undefined, channel: undefined });
});
