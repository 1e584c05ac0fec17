import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decideCommand, pendingCommand } from '../../../cli/commands/approve';
import { UsageError } from '../../../cli/exit-codes';
import { decisionBinding, type IdentityProof } from '../../../lambda/approval/identity-proof';

/*
 * `ir approve` / `ir deny` / `ir pending` (cli/commands/approve.ts) against a
 * local stand-in for the decision function's URL: every request is SigV4
 * signed for the service "lambda" with the operator's credentials, the
 * decision binds to the plan hash read (or given) and carries an identity
 * proof (a presigned STS GetCallerIdentity bound to it), and the CLI never
 * says who it is.
 */

const PLAN_HASH = 'd'.repeat(64);
const INCIDENT = 'instance#123456789012#us-east-1#i-0cli';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
  readonly body: string;
}

let server: Server;
let url: string;
let seen: Seen[];
let answers: { status: number; body: unknown }[];

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void read(request).then((body) => {
      seen.push({ method: request.method!, url: request.url!, authorization: String(request.headers.authorization ?? ''), body });
      const answer = answers.shift() ?? { status: 500, body: {} };
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let stdout: jest.SpyInstance;
beforeEach(() => {
  seen = [];
  answers = [];
  process.env.AWS_ACCESS_KEY_ID = 'AKIAOPERATOR';
  process.env.AWS_SECRET_ACCESS_KEY = 'operator-secret';
  delete process.env.AWS_SESSION_TOKEN;
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

const approval = { incidentId: INCIDENT, status: 'pending', planHash: PLAN_HASH, plan: '[{"id":"isolate"}]' };

it('without --plan-hash, approve shows the plan and decides nothing: the approval must name the plan reviewed', async () => {
  answers = [{ status: 200, body: { approval } }];
  await expect(decideCommand('approve', INCIDENT, { url, region: 'us-east-1' })).rejects.toThrow(`nothing is approved yet: review the plan above, then run ir approve ${INCIDENT} --plan-hash ${PLAN_HASH}`);
  expect(seen.map((s) => s.method)).toEqual(['GET']);
  expect(new URL(seen[0]!.url, url).searchParams.get('incident')).toBe(INCIDENT);
});

it('with the reviewed --plan-hash, posts the decision bound to it, signed for lambda with the operator credentials', async () => {
  answers = [{ status: 200, body: { status: 'recorded', evidence: { status: 'done' }, resume: { status: 'done' } } }];
  await expect(decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH })).resolves.toBe(0);
  expect(seen.map((s) => s.method)).toEqual(['POST']);
  for (const request of seen) expect(request.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAOPERATOR\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=/);
  const sent = JSON.parse(seen[0]!.body) as Record<string, unknown> & { proof: IdentityProof };
  expect(sent).toEqual({ incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH, proof: expect.any(Object) });
  // The identity proof: GetCallerIdentity presigned with the same credentials, for STS in the stack's region, bound to this decision.
  expect(sent.proof.query).toMatchObject({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': expect.stringMatching(/^AKIAOPERATOR\/\d{8}\/us-east-1\/sts\/aws4_request$/),
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host;x-ir-decision',
  });
  expect(sent.proof.binding).toBe(decisionBinding({ incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH, nonce: sent.proof.nonce }));
});

it('sends a fresh proof with each decision: a new nonce every time', async () => {
  answers = [
    { status: 200, body: { status: 'recorded' } },
    { status: 200, body: { status: 'recorded' } },
  ];
  await decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH });
  await decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH });
  const nonces = seen.map((s) => (JSON.parse(s.body) as { proof: IdentityProof }).proof.nonce);
  expect(new Set(nonces).size).toBe(2);
});

it('says why the function refused the identity proof, and exits 1', async () => {
  answers = [{ status: 403, body: { status: 'refused', reason: 'sts-refused', code: 'ExpiredToken', detail: 'STS refused the identity proof: ExpiredToken: The security token included in the request is expired' } }];
  await expect(decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH })).resolves.toBe(1);
  expect(stdout.mock.calls.map((c) => String(c[0]))).toEqual(['NOT RECORDED (sts-refused): STS refused the identity proof: ExpiredToken: The security token included in the request is expired\n']);
});

it('IAM refused the caller (a 403 from Lambda itself): names both actions an operator needs, with their conditions', async () => {
  answers = [{ status: 403, body: { Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html' } }];
  await expect(decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH })).rejects.toThrow(
    'your credentials need, on the decision function, lambda:InvokeFunctionUrl (condition lambda:FunctionUrlAuthType = AWS_IAM) ' +
      'and lambda:InvokeFunction (condition lambda:InvokedViaFunctionUrl = true); see docs/approval-channels.md',
  );
});

it('denies with the reason and the plan hash given, without reading first; a refusal exits 1', async () => {
  answers = [{ status: 409, body: { status: 'refused', reason: 'plan-changed', detail: 'changed' } }];
  await expect(decideCommand('deny', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH, reason: 'known scanner' })).resolves.toBe(1);
  expect(seen).toHaveLength(1);
  expect(JSON.parse(seen[0]!.body)).toEqual({ incidentId: INCIDENT, decision: 'deny', planHash: PLAN_HASH, reason: 'known scanner', proof: expect.objectContaining({ nonce: expect.any(String) }) });
});

it('says an approval after the deadline is refused as expired, and that the deadline decides; exits 1', async () => {
  answers = [{ status: 409, body: { status: 'refused', reason: 'expired', detail: 'the decision time is over' } }];
  await expect(decideCommand('approve', INCIDENT, { url, region: 'us-east-1', planHash: PLAN_HASH })).resolves.toBe(1);
  expect(stdout.mock.calls.map((c) => String(c[0]))).toEqual([
    'NOT RECORDED (expired): the decision time is over\n',
    'The deadline has passed: the response acts or stands down as configured (onTimeout); the incident report says which.\n',
  ]);
});

it('refuses a denial without --reason before any request', async () => {
  await expect(decideCommand('deny', INCIDENT, { url, region: 'us-east-1' })).rejects.toBeInstanceOf(UsageError);
  expect(seen).toHaveLength(0);
});

it('lists the pending approvals', async () => {
  answers = [{ status: 200, body: { approvals: [approval], truncated: false } }];
  await expect(pendingCommand({ url, region: 'us-east-1', json: true })).resolves.toBe(0);
  expect(seen[0]!.method).toBe('GET');
  expect(String(stdout.mock.calls[0]![0])).toContain(PLAN_HASH);
});

it('ir pending says when a decided request is being resumed, and when its resume failed (its lease ended)', async () => {
  const taken = { ...approval, status: 'approved', resume: { state: 'in-flight', takenAt: '2026-12-07T01:00:00.000Z', until: '2026-12-07T01:17:00.000Z' } };
  const failed = { ...approval, incidentId: 'ir-0000000000000002', status: 'approved', resume: { ...taken.resume, state: 'lease-expired' } };
  answers = [{ status: 200, body: { approvals: [taken, failed], truncated: false } }];
  await expect(pendingCommand({ url, region: 'us-east-1' })).resolves.toBe(0);
  const text = stdout.mock.calls.map((c) => String(c[0])).join('');
  expect(text).toContain('Resuming   decided; the response acting on it took it at 2026-12-07T01:00:00.000Z (lease until 2026-12-07T01:17:00.000Z) and has not finished');
  expect(text).toContain('RESUME FAILED  decided; the response that took it at 2026-12-07T01:00:00.000Z did not finish (lease ended 2026-12-07T01:17:00.000Z): the decided changes may not be made.');
  expect(text).toContain('{"kind":"approval-decided","incidentId":"ir-0000000000000002"}');
});
