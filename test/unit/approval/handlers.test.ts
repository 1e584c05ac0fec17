import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as chatHandler } from '../../../lambda/handlers/approval-chat';
import { CHAT_PERSON_NOT_GIVEN } from '../../../lambda/approval/chat-channel';
import { handler as decideHandler } from '../../../lambda/handlers/approval-decide';
import { handler as linkHandler } from '../../../lambda/handlers/approval-link';
import { presignIdentityProof } from '../../../cli/approval/identity-proof';
import { readApprovalEnvironment } from '../../../lambda/approval/runtime';
import { fakeStsFetch } from '../../support/presigned-sts';
import { signToken } from '../../../lambda/approval/token';
import { answerAsKms, INCIDENT, LINK_KEY_ID, macKey, NOW, PLAN_HASH, pendingItem } from './support';

/*
 * The two decision functions' entry points: what they accept, and that a
 * bad environment or event is refused, never guessed around.
 */

const dynamodb = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
const kms = mockClient(KMSClient);

const ENV = {
  IR_LEDGER_TABLE: 'incident-ledger',
  IR_PLAYBOOK_FUNCTIONS: JSON.stringify({ 'contain-instance': 'ir-contain-instance' }),
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test',
};

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

beforeEach(() => {
  dynamodb.reset();
  lambda.reset();
  kms.reset();
  Object.assign(process.env, ENV);
  delete process.env.IR_APPROVAL_MAC_KEY;
  delete process.env.IR_EVIDENCE_BUCKET;
  process.env.IR_CHAT_CHANNELS = 'Slack C0456 (workspace T0123)';
  process.env.IR_CHAT_CHANNEL_IDS = JSON.stringify({ slack: { workspaceId: 'T0123', channelId: 'C0456' } });
});

/** A function URL event naming the CISO: what Lambda hands the URL function, or what a forger would send by a direct invoke. */
const URL_EVENT_AS_CISO = {
  rawPath: '/',
  requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/ciso', accountId: '123456789012' } } },
  body: JSON.stringify({ incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH }),
};

describe('readApprovalEnvironment', () => {
  it('reads the ledger, the playbook functions and the key', () => {
    expect(readApprovalEnvironment({ ...ENV, IR_APPROVAL_MAC_KEY: 'arn:aws:kms:us-east-1:123456789012:key/k' })).toEqual({
      ledgerTable: 'incident-ledger',
      playbookFunctions: { 'contain-instance': 'ir-contain-instance' },
      evidence: undefined,
      macKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
      region: 'us-east-1',
    });
  });
  it('refuses a playbook map naming a playbook that is not ours', () => {
    expect(() => readApprovalEnvironment({ ...ENV, IR_PLAYBOOK_FUNCTIONS: JSON.stringify({ evil: 'x' }) })).toThrow('IR_PLAYBOOK_FUNCTIONS');
  });
});

describe('the operator decision function (function URL, AWS_IAM)', () => {
  it('refuses a chat decision: the chat buttons have their own function', async () => {
    await expect(decideHandler({ kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH })).resolves.toMatchObject({ statusCode: 400 });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('refuses an event that is not a function URL request', async () => {
    await expect(decideHandler({ incidentId: INCIDENT, decision: 'approve' })).resolves.toMatchObject({ statusCode: 400 });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('asks STS at the regional endpoint of its own region, and records the ARN STS answers', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'approved' } }) });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const alice = { accessKeyId: 'ASIAALICE0000000', secretAccessKey: 'alice-secret' };
    const aliceArn = 'arn:aws:sts::123456789012:assumed-role/IncidentResponders/alice';
    const sts = fakeStsFetch(new Map([[alice.accessKeyId, { secretAccessKey: alice.secretAccessKey, arn: aliceArn, account: '123456789012', userId: 'AROAALICE:alice' }]]));
    const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(sts.fetch);
    try {
      const decision = { incidentId: INCIDENT, decision: 'approve' as const, planHash: PLAN_HASH };
      const proof = await presignIdentityProof({ ...decision, region: 'us-east-1', credentials: alice });
      const answer = await decideHandler({ rawPath: '/', requestContext: { http: { method: 'POST' } }, body: JSON.stringify({ ...decision, proof }) });
      expect(answer).toMatchObject({ statusCode: 200 });
      expect(sts.calls.map((c) => `${c.url.origin}${c.url.pathname}`)).toEqual(['https://sts.us-east-1.amazonaws.com/']);
      const recorded = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M;
      expect(recorded).toMatchObject({ by: { S: aliceArn }, channel: { S: 'cli' } });
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('refuses a URL request naming the CISO without an identity proof (what a direct invoke can forge), records nothing, and logs it', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(decideHandler(URL_EVENT_AS_CISO)).resolves.toMatchObject({ statusCode: 403, body: expect.stringContaining('"reason":"unproven"') });
      expect(warn.mock.calls.map((call) => JSON.parse(String(call[0])) as unknown)).toEqual([
        expect.objectContaining({ message: 'approval decision refused: identity proof', reason: 'unproven', incidentId: INCIDENT, decision: 'approve', urlCaller: 'arn:aws:iam::123456789012:user/ciso' }),
      ]);
    } finally {
      warn.mockRestore();
    }
    expect(dynamodb.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
  });
});

describe('the chat decision function (direct invoke by the Chatbot channel role)', () => {
  it('records a button press as a member of the configured channel, channel chat', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'approved' } }) });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const answer = await chatHandler({ kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH });
    expect(answer).toMatchObject({ status: 'recorded', decision: { channel: 'chat' } });
    const decision = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M;
    // Exactly what is recorded: the channel configuration's ids (the stack's), and that AWS names no person.
    expect(decision).toEqual({
      decision: { S: 'approve' },
      by: { S: 'a member of chat channel Slack C0456 (workspace T0123) (AWS Chatbot custom action, under the channel role)' },
      at: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      channel: { S: 'chat' },
      planHash: { S: PLAN_HASH },
      origin: {
        M: {
          slackWorkspaceId: { S: 'T0123' },
          slackChannelId: { S: 'C0456' },
          person: { S: CHAT_PERSON_NOT_GIVEN },
        },
      },
    });
    expect(CHAT_PERSON_NOT_GIVEN).toMatch(/^not given by AWS: /);
  });

  it('records the Teams channel configuration ids too, and both when the stack has both', async () => {
    process.env.IR_CHAT_CHANNEL_IDS = JSON.stringify({ slack: { workspaceId: 'T0123', channelId: 'C0456' }, teams: { tenantId: 'tenant-1', teamId: 'team-1', channelId: '19:abc@thread.tacv2' } });
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'denied' } }) });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await chatHandler({ kind: 'chat-decision', incidentId: INCIDENT, decision: 'deny', planHash: PLAN_HASH });
    const decision = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M!;
    expect(decision.origin).toEqual({
      M: {
        slackWorkspaceId: { S: 'T0123' },
        slackChannelId: { S: 'C0456' },
        teamsTenantId: { S: 'tenant-1' },
        teamsTeamId: { S: 'team-1' },
        teamsChannelId: { S: '19:abc@thread.tacv2' },
        person: { S: CHAT_PERSON_NOT_GIVEN },
      },
    });
    expect(decision.reason).toEqual({ S: 'denied from the chat channel' });
  });

  it('refuses to record anything without the channel configuration ids', async () => {
    delete process.env.IR_CHAT_CHANNEL_IDS;
    await expect(chatHandler({ kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH })).rejects.toThrow('IR_CHAT_CHANNEL_IDS');
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it.each([
    ['a hand-made function URL event naming the CISO', URL_EVENT_AS_CISO],
    ['a chat decision that names who decided', { kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH, by: 'arn:aws:iam::123456789012:user/ciso' }],
    ['a chat decision that names the cli channel', { kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH, channel: 'cli' }],
    ['a chat decision carrying a function URL authorizer', { kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH, requestContext: URL_EVENT_AS_CISO.requestContext }],
  ])('refuses %s and records nothing', async (_, event) => {
    await expect(chatHandler(event)).resolves.toMatchObject({ status: 'refused', reason: 'bad-request' });
    expect(dynamodb.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
  });

  it('refuses to record anything without the stack naming its channel', async () => {
    delete process.env.IR_CHAT_CHANNELS;
    await expect(chatHandler({ kind: 'chat-decision', incidentId: INCIDENT, decision: 'approve', planHash: PLAN_HASH })).rejects.toThrow('IR_CHAT_CHANNELS');
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('the approval link function', () => {
  it('answers a non-web event with a 400 page', async () => {
    await expect(linkHandler({ kind: 'approval-decided' })).resolves.toMatchObject({ statusCode: 400 });
  });

  it('answers with a 500 page, not a stack trace, when it has no MAC key configured', async () => {
    const page = await linkHandler({ rawPath: '/', rawQueryString: 't=v1.a.b', requestContext: { http: { method: 'GET' } } });
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain('IR_APPROVAL_MAC_KEY');
  });

  it('checks the token with its KMS key (IR_APPROVAL_MAC_KEY); a KMS failure is a 500 page that calls no link invalid, logged without the token', async () => {
    process.env.IR_APPROVAL_MAC_KEY = LINK_KEY_ID;
    answerAsKms(kms);
    dynamodb.on(GetItemCommand).resolves({ Item: pendingItem() });
    // Expiring a day after the real clock: the function reads the time itself.
    const token = await signToken(macKey(), { incidentId: INCIDENT, planHash: PLAN_HASH, decision: 'approve', expiresAt: Math.floor(Math.max(Date.now(), NOW) / 1000) + 86_400, nonce: 'h'.repeat(24) });
    const open = () => linkHandler({ rawPath: '/', rawQueryString: `t=${encodeURIComponent(token)}`, requestContext: { http: { method: 'GET' } } });

    await expect(open()).resolves.toMatchObject({ statusCode: 200 });
    expect(kms.commandCalls(VerifyMacCommand).map((call) => [call.args[0].input.KeyId, call.args[0].input.MacAlgorithm])).toEqual([[LINK_KEY_ID, 'HMAC_SHA_256']]);

    kms.on(VerifyMacCommand).rejects(Object.assign(new Error('not authorized to perform: kms:VerifyMac'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const page = await open();
      expect(page.statusCode).toBe(500);
      expect(page.body).toContain('an AWS call failed');
      expect(page.body).not.toContain('not valid');
      expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([expect.stringContaining('AccessDeniedException: not authorized to perform: kms:VerifyMac')]);
      expect(String(logged.mock.calls[0]![0])).not.toContain(token.split('.')[2]!);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('approvalLinkBaseUrl', () => {
  it('asks Lambda for the link function URL once, and refuses a URL that is not HTTPS', async () => {
    const { GetFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
    const { approvalLinkBaseUrl } = await import('../../../lambda/approval/link-url');
    lambda.on(GetFunctionUrlConfigCommand, { FunctionName: 'stack-approval-link' }).resolves({ FunctionUrl: 'https://abc.lambda-url.us-east-1.on.aws/' });
    lambda.on(GetFunctionUrlConfigCommand, { FunctionName: 'plain' }).resolves({ FunctionUrl: 'http://abc/' });
    const client = new LambdaClient({ region: 'us-east-1' });
    await expect(approvalLinkBaseUrl(client, 'stack-approval-link')).resolves.toBe('https://abc.lambda-url.us-east-1.on.aws/');
    await approvalLinkBaseUrl(client, 'stack-approval-link');
    expect(lambda.commandCalls(GetFunctionUrlConfigCommand)).toHaveLength(1);
    await expect(approvalLinkBaseUrl(client, 'plain')).rejects.toThrow('no HTTPS function URL');
  });
});
