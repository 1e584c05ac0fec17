import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { accessKeyRestoreKey, functionRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseFunction, type FunctionReleaseReport } from '../../lambda/release/function';
import { loadFixture } from '../support/fixtures';
import type { EmulatedAccount } from './support/account';
import { LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';
import { roleRevokePolicy } from './support/iam-state';
import { failedSteps } from './support/run-playbook';

/*
 * contain-function through its real Lambda handler against the emulator:
 * moto implements GetFunctionConfiguration, GetFunctionConcurrency,
 * ListTags, PutFunctionConcurrency and DeleteFunctionConcurrency, and IAM's
 * role policies. A function that had no reserved concurrency and one that
 * had 25 are contained, then released from the ledger's record alone: the
 * first gets none again (DeleteFunctionConcurrency), the second 25. moto
 * does not throttle invocations at 0 (its Invoke needs Docker, and ignores
 * the reservation): that the function stops running is AWS's behaviour, the
 * setting is what is seen here. GuardDuty's confirmation is off (moto has
 * no findings API), as in every emulator run. moto has no provisioned
 * concurrency (ListProvisionedConcurrencyConfigs answers 404): the read is
 * an emulator gap, and the refusal it feeds is tested with mocked clients.
 * A third function's role is also revoked by another open incident's
 * record: its release keeps the role's revoke policy (the ledger Scan on
 * moto's DynamoDB).
 */

const SECRET = 'sk_live_never-in-the-evidence-42';
// A zip with index.js, as CreateFunction takes it (moto opens the archive).
const CODE_ZIP = Buffer.from(
  'UEsDBBQAAAAAACUDh10LkENCHgAAAB4AAAAIAAAAaW5kZXguanNleHBvcnRzLmhhbmRsZXI9YXN5bmMoKT0+KHt9KTtQSwECFAMUAAAAAAAlA4ddC5BDQh4AAAAeAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXguanNQSwUGAAAAAAEAAQA2AAAARAAAAAAA',
  'base64',
);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let bench: HandlerBench;
let account: EmulatedAccount;
let lambda: LambdaClient;

interface Contained {
  readonly name: string;
  readonly report: Report;
  readonly record: Record<string, unknown> | undefined;
  readonly concurrencyAfter: number | null;
  readonly released: FunctionReleaseReport;
  readonly concurrencyReleased: number | null;
}

const results: Record<string, Contained> = {};

async function reservedConcurrency(name: string): Promise<number | null> {
  return (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions ?? null;
}

/** The fixture's EventBridge event, about a function of the emulated account. */
function eventAbout(name: string, roleArn: string): unknown {
  const event = loadFixture('contain-function/cnc-activity.event.json') as { account: string; region: string; detail: Record<string, unknown> };
  const { accountId, region } = account.seed;
  const detail = event.detail as { resource: { lambdaDetails: Record<string, unknown> } } & Record<string, unknown>;
  const id = `${'f'.repeat(32 - name.length)}${name}`.replace(/[^a-z0-9]/g, '0');
  return {
    ...event,
    account: accountId,
    region,
    detail: {
      ...detail,
      id,
      arn: `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}`,
      accountId,
      region,
      resource: { resourceType: 'Lambda', lambdaDetails: { ...detail.resource.lambdaDetails, functionName: name, functionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}`, role: roleArn } },
    },
  };
}

async function containAndRelease(name: string, reserved: number | null, beforeRelease: (ledger: RestoreLedger) => Promise<void> = async () => {}): Promise<Contained> {
  const role = await account.clients.iam.send(new CreateRoleCommand({ RoleName: `${name}-exec`, Path: '/service-role/', AssumeRolePolicyDocument: TRUST }));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role.Role!.Arn!,
      Code: { ZipFile: CODE_ZIP },
      Environment: { Variables: { STRIPE_KEY: SECRET, LOG_LEVEL: 'debug' } },
      Tags: { team: 'orders' },
    }),
  );
  if (reserved !== null) await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }));
  const report = await bench.invoke(eventAbout(name, role.Role!.Arn!), { playbook: 'contain-function' });
  const key = functionRestoreKey(account.seed.accountId, account.seed.region, name);
  const record = await bench.item(key);
  const concurrencyAfter = await reservedConcurrency(name);
  const ledger = new RestoreLedger(bench.dynamodb, LEDGER_TABLE);
  await beforeRelease(ledger);
  const released = await releaseFunction(name, {
    clients: account.clients,
    region: account.seed.region,
    ledger,
    dryRun: false,
    notify: { sns: account.clients.sns, topicArn: account.seed.notifications.topicArn },
  });
  return { name, report, record, concurrencyAfter, released, concurrencyReleased: await reservedConcurrency(name) };
}

beforeAll(async () => {
  bench = await startHandlerBench();
  account = bench.account;
  lambda = await account.clients.load('lambda');
  results.unreserved = await containAndRelease('orders-webhook', null);
  results.reserved = await containAndRelease('report-export', 25);
  // Another open incident revoked the same role (revoke-credentials on its stolen session credentials): its own restore record says so.
  results.shared = await containAndRelease('billing-sync', null, (ledger) =>
    ledger.record({
      key: accessKeyRestoreKey(account.seed.accountId, 'ASIAEXAMPLESTOLEN001'),
      kind: 'access-key',
      resourceId: 'ASIAEXAMPLESTOLEN001',
      accountId: account.seed.accountId,
      region: account.seed.region,
      incidentId: 'ir-00000000000000ee',
      findingId: 'stolen-session-finding',
      facts: { sessionPolicies: [{ principal: { kind: 'role', name: 'billing-sync-exec' }, previousDocument: null }] },
    }),
  );
}, 180_000);

afterAll(() => bench?.close());

describe('contain-function against the emulator', () => {
  it.each(['unreserved', 'reserved'])('throttles the %s function and revokes its role, every step done', (which) => {
    const { report, concurrencyAfter } = results[which]!;
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.filter((s) => s.mutating && s.id !== 'notify').map((s) => [s.id, s.status])).toEqual(
      expect.arrayContaining([
        ['record-restore:function', 'done'],
        ['throttle-function', 'done'],
        ['revoke-role-sessions', 'done'],
      ]),
    );
    expect(concurrencyAfter).toBe(0);
  });

  it('records the original concurrency (none, 25), the role without a revoke policy, and the configuration with variable names only', () => {
    const unreserved = results.unreserved!.record as Record<string, { M?: Record<string, { N?: string; NULL?: boolean; S?: string }>; S?: string }>;
    const reserved = results.reserved!.record as typeof unreserved;
    expect(unreserved.functionConcurrency?.M?.reserved).toEqual({ NULL: true });
    expect(reserved.functionConcurrency?.M?.reserved).toEqual({ N: '25' });
    expect(unreserved['sessionPolicy:role:orders-webhook-exec']?.M?.previousDocument).toEqual({ NULL: true });
    const configuration = JSON.parse(unreserved.functionConfiguration!.S!) as Record<string, unknown>;
    expect(configuration).toMatchObject({ functionName: 'orders-webhook', environmentVariableNames: ['LOG_LEVEL', 'STRIPE_KEY'], codeSha256: expect.any(String) });
    expect(JSON.stringify(results.unreserved!.record)).not.toContain(SECRET);
    expect(JSON.stringify(results.unreserved!.report)).not.toContain(SECRET);
  });

  it('releases from the ledger: no reserved concurrency again for the first, 25 for the second, and the revoke policies removed', async () => {
    const { unreserved, reserved } = results;
    expect(unreserved!.released).toMatchObject({ refused: null, summary: { failed: 0 }, ledger: { status: 'recorded', closed: true } });
    expect(unreserved!.released.steps.map((s) => [s.id, s.action, s.status])).toEqual([
      ['restore-function-concurrency', 'lambda:DeleteFunctionConcurrency', 'done'],
      ['remove-session-policy:role:orders-webhook-exec', 'iam:DeleteRolePolicy', 'done'],
    ]);
    expect(unreserved!.concurrencyReleased).toBeNull();
    expect(reserved!.released.steps[0]).toMatchObject({ action: 'lambda:PutFunctionConcurrency', parameters: { FunctionName: 'report-export', ReservedConcurrentExecutions: 25 }, status: 'done' });
    expect(reserved!.concurrencyReleased).toBe(25);
    expect(await roleRevokePolicy(account.clients.iam, 'orders-webhook-exec')).toBeNull();
    expect(await roleRevokePolicy(account.clients.iam, 'report-export-exec')).toBeNull();
  });

  it('keeps the role’s revoke policy while another open incident’s record revoked the same role (found by a ledger Scan), and names it', async () => {
    const { released, concurrencyReleased } = results.shared!;
    expect(released.steps.map((s) => [s.id, s.status])).toEqual([['restore-function-concurrency', 'done']]);
    expect(concurrencyReleased).toBeNull();
    const other = accessKeyRestoreKey(account.seed.accountId, 'ASIAEXAMPLESTOLEN001');
    expect(released.warnings).toContain(
      `AWSRevokeOlderSessions of role billing-sync-exec is kept: another open incident revoked its sessions too (ir-00000000000000ee (access-key ASIAEXAMPLESTOLEN001, ${other})); release them first; a release removes it only where its own record says the principal had none before, so remove it by hand once none is open if no release does.`,
    );
    expect(await roleRevokePolicy(account.clients.iam, 'billing-sync-exec')).not.toBeNull();
    // The first two releases found no other record of their roles: the closed records of each other and this open one are not theirs.
    expect(results.unreserved!.released.warnings.join(' ')).not.toContain('is kept');
  });
});
