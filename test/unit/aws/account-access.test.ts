import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess, MAX_CACHED_SESSIONS, MemberRoleError, REFRESH_BEFORE_EXPIRY_MS, type HomeIdentity } from '../../../lambda/aws/account-access';
import type { AwsClients } from '../../../lambda/aws/clients';
import { toStepError } from '../../../lambda/aws/errors';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';

const HOME: HomeIdentity = { accountId: '111111111111', partition: 'aws' };
const MEMBER = '222222222222';
const ROLE_ARN = `arn:aws:iam::${MEMBER}:role/IncidentResponseMemberRole`;
const HOME_CREDENTIALS = { accessKeyId: 'AKIAHOME', secretAccessKey: 'home-secret' };
const T0 = Date.parse('2026-11-22T08:00:00.000Z');

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);

let now: number;
let assumed: number;

function credentialsExpiringAt(expiration: Date, n: number) {
  return { AccessKeyId: `ASIAMEMBER${n}`, SecretAccessKey: `secret-${n}`, SessionToken: `token-${n}`, Expiration: expiration };
}

function access(overrides: Partial<ConstructorParameters<typeof AccountAccess>[0]> = {}): AccountAccess {
  return new AccountAccess({
    home: async () => HOME,
    memberRoleName: 'IncidentResponseMemberRole',
    base: { endpoint: 'http://127.0.0.1:4999', maxAttempts: 1, credentials: HOME_CREDENTIALS },
    clientClasses: EVERY_CLIENT,
    now: () => now,
    ...overrides,
  });
}

/** The credentials a client signs with: what its provider resolves to. */
async function credentialsOf(client: { config: { credentials: unknown } }): Promise<Record<string, unknown>> {
  return (client.config.credentials as () => Promise<Record<string, unknown>>)();
}

const target = { accountId: MEMBER, region: 'eu-west-1', sessionName: 'ir-finding-1' };

beforeEach(() => {
  now = T0;
  assumed = 0;
  sts.reset();
  ec2.reset();
  // Each AssumeRole answers 15 minutes of fresh credentials, numbered so a refresh is visible.
  sts.on(AssumeRoleCommand).callsFake(async () => {
    assumed += 1;
    return { Credentials: credentialsExpiringAt(new Date(now + 15 * 60_000), assumed) };
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
});

describe('AccountAccess.clientsIn', () => {
  it('uses the home clients in the home account, without AssumeRole', async () => {
    const a = access();
    const clients = await a.clientsIn({ ...target, accountId: HOME.accountId });
    expect(clients).toBe(a.homeClients('eu-west-1'));
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(await credentialsOf(clients.ec2)).toMatchObject(HOME_CREDENTIALS);
  });

  it('assumes the member role in another account with the exact role, session name and duration, before any read', async () => {
    const clients = await access().clientsIn(target);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({ RoleArn: ROLE_ARN, RoleSessionName: 'ir-finding-1', DurationSeconds: 900 });
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 0);
    await clients.ec2.send(new DescribeInstancesCommand({}));
    // The EC2 call was signed with the member role's credentials, in the finding's region.
    const call = ec2.commandCalls(DescribeInstancesCommand)[0]!;
    const ec2Client = call.thisValue as EC2Client;
    expect(await credentialsOf(ec2Client)).toMatchObject({ accessKeyId: 'ASIAMEMBER1', secretAccessKey: 'secret-1', sessionToken: 'token-1' });
    expect(await ec2Client.config.region()).toBe('eu-west-1');
  });

  it('calls STS through the client seam: the base endpoint, attempts and the caller credentials apply to AssumeRole', async () => {
    await access().clientsIn(target);
    const stsClient = sts.commandCalls(AssumeRoleCommand)[0]!.thisValue as STSClient;
    expect(await stsClient.config.maxAttempts()).toBe(1);
    expect(await stsClient.config.region()).toBe('eu-west-1');
    expect(await credentialsOf(stsClient)).toMatchObject(HOME_CREDENTIALS);
    const endpoint = await (stsClient.config.endpoint as () => Promise<{ hostname: string; port?: number }>)();
    expect({ hostname: endpoint.hostname, port: endpoint.port }).toEqual({ hostname: '127.0.0.1', port: 4999 });
  });

  it('reuses the credentials and the clients on the next call for the same account and session', async () => {
    const a = access();
    const first = await a.clientsIn(target);
    now += 60_000;
    const second = await a.clientsIn(target);
    expect(second).toBe(first);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('shares one AssumeRole between concurrent calls', async () => {
    const a = access();
    await Promise.all([a.clientsIn(target), a.clientsIn(target), a.clientsIn({ ...target, region: 'us-east-1' })]);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('keeps clients per region on the same credentials', async () => {
    const a = access();
    const ireland = await a.clientsIn(target);
    const virginia = await a.clientsIn({ ...target, region: 'us-east-1' });
    expect(virginia).not.toBe(ireland);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(await credentialsOf(virginia.ec2)).toMatchObject({ accessKeyId: 'ASIAMEMBER1' });
  });

  it("gives another finding its own session, so the member account's CloudTrail names the right finding", async () => {
    const a = access();
    await a.clientsIn(target);
    await a.clientsIn({ ...target, sessionName: 'ir-finding-2' });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName)).toEqual(['ir-finding-1', 'ir-finding-2']);
  });

  it('keeps only the most recent sessions of a warm container: the oldest is forgotten, the newest kept', async () => {
    const a = access();
    const sessions = Array.from({ length: MAX_CACHED_SESSIONS + 1 }, (_, i) => ({ ...target, sessionName: `ir-finding-${i}` }));
    const clients = [];
    for (const session of sessions) clients.push(await a.clientsIn(session));
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, MAX_CACHED_SESSIONS + 1);
    expect(await a.clientsIn(sessions.at(-1)!)).toBe(clients.at(-1));
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, MAX_CACHED_SESSIONS + 1);
    // The first session was forgotten: its clients are made again, with a fresh AssumeRole.
    expect(await a.clientsIn(sessions[0]!)).not.toBe(clients[0]);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, MAX_CACHED_SESSIONS + 2);
  });

  it('assumes again once the credentials are within the refresh margin of their expiry', async () => {
    const a = access();
    const clients = await a.clientsIn(target);
    now = T0 + 15 * 60_000 - REFRESH_BEFORE_EXPIRY_MS - 1;
    await a.clientsIn(target);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    now += 2;
    await a.clientsIn(target);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    // The cached clients pick the fresh credentials up through their provider.
    expect(await credentialsOf(clients.ec2)).toMatchObject({ accessKeyId: 'ASIAMEMBER2' });
  });

  it('fails with the AWS code and a message naming the role and the account, and tries again next time', async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/x/y is not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    let failNext = true;
    sts.on(AssumeRoleCommand).callsFake(async () => {
      if (failNext) {
        failNext = false;
        throw denied;
      }
      return { Credentials: credentialsExpiringAt(new Date(now + 15 * 60_000), 9) };
    });
    const a = access();
    const error = await a.clientsIn(target).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MemberRoleError);
    expect(toStepError(error)).toEqual({
      code: 'AccessDenied',
      message: `cannot assume role ${ROLE_ARN} in account ${MEMBER}: User: arn:aws:sts::111111111111:assumed-role/x/y is not authorized to perform: sts:AssumeRole`,
      retryable: false,
    });
    expect(error).toMatchObject({ roleArn: ROLE_ARN, accountId: MEMBER });
    await expect(a.clientsIn(target)).resolves.toBeDefined();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('keeps a throttled AssumeRole retryable', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    await expect(access().clientsIn(target)).rejects.toMatchObject({ code: 'Throttling', retryable: true });
  });

  it('refuses an answer without complete credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });
    await expect(access().clientsIn(target)).rejects.toMatchObject({ code: 'IncompleteCredentials' });
  });

  it('builds the role ARN in the home partition', async () => {
    const a = access({ home: async () => ({ accountId: HOME.accountId, partition: 'aws-us-gov' }) });
    expect(await a.memberRoleArn(MEMBER)).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/IncidentResponseMemberRole`);
    await a.clientsIn({ ...target, region: 'us-gov-west-1' });
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleArn).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/IncidentResponseMemberRole`);
  });
});

describe('AccountAccess.homeIdentity', () => {
  it('asks once, and asks again after a failure', async () => {
    const home = jest.fn<Promise<HomeIdentity>, []>().mockRejectedValueOnce(new Error('no credentials')).mockResolvedValue(HOME);
    const a = access({ home });
    await expect(a.homeIdentity()).rejects.toThrow('no credentials');
    await expect(a.homeIdentity()).resolves.toEqual(HOME);
    await expect(a.homeIdentity()).resolves.toEqual(HOME);
    expect(home).toHaveBeenCalledTimes(2);
  });
});

describe('AccountAccess.homeClients', () => {
  it('keeps one set of clients per region', () => {
    const a = access();
    const clients: AwsClients = a.homeClients('eu-west-1');
    expect(a.homeClients('eu-west-1')).toBe(clients);
    expect(a.homeClients('us-east-1')).not.toBe(clients);
  });
});
