import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { LEASE_MARGIN_MS, ledgerOptionsFor } from '../../../lambda/runtime/ledger-options';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';

/*
 * The level at which a delivery claims and answers its incident. Only an
 * acting playbook in enforce mode answers at "enforce": notify asks GuardDuty
 * nothing, so a forged notify-routed copy of a real finding id must not
 * use up the genuine acting delivery's right to act once.
 */

const access = new AccountAccess({
  home: async () => ({ accountId: '111111111111', partition: 'aws' }),
  memberRoleName: 'IncidentResponseMemberRole',
  clientClasses: EVERY_CLIENT,
  base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
});

function optionsFor(playbook: PlaybookName, mode: RuntimeConfig['mode'], dryRunRequested = false) {
  return ledgerOptionsFor({
    tableName: 'ledger-table',
    region: 'us-east-1',
    access,
    config: { ...DEFAULT_RUNTIME_CONFIG, mode },
    dryRunRequested,
    context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000 },
    playbook,
  });
}

describe('ledgerOptionsFor', () => {
  it.each([
    ['contain-instance', 'enforce', 'enforce'],
    ['revoke-credentials', 'enforce', 'enforce'],
    ['notify', 'enforce', 'dry-run'],
    ['contain-instance', 'dry-run', 'dry-run'],
    ['notify', 'dry-run', 'dry-run'],
  ] as const)('%s in %s mode answers at the %s level', (playbook, mode, level) => {
    expect(optionsFor(playbook, mode)).toMatchObject({ level, leaseMs: 50_000 + LEASE_MARGIN_MS });
  });

  it('claims nothing for a requested dry-run', () => {
    expect(optionsFor('contain-instance', 'enforce', true)).toBeUndefined();
  });
});

describe('ledgerOptionsFor: the delivery and the incidents', () => {
  const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000, awsRequestId: 'req-1' };
  const options = (config: RuntimeConfig) =>
    ledgerOptionsFor({ tableName: 'ledger-table', region: 'us-east-1', access, config, dryRunRequested: false, context, playbook: 'contain-instance' });

  it("carries Lambda's request id (the same on its retries), so a retry takes its own earlier claim over", () => {
    expect(options({ ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' })?.deliveryId).toBe('req-1');
  });

  it('keeps one incident per resource for incidents.joinWindowHours (24 by default)', () => {
    expect(options({ ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' })?.incidents?.joinWindowMs).toBe(24 * 60 * 60 * 1000);
    expect(options({ ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', incidents: { joinWindowHours: 2 } })?.incidents?.joinWindowMs).toBe(2 * 60 * 60 * 1000);
  });

  it('a window of 0 keeps an incident per finding', () => {
    expect(options({ ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', incidents: { joinWindowHours: 0 } })?.incidents).toBeUndefined();
  });
});
