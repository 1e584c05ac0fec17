import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { ArchiveFindingsCommand } from '@aws-sdk/client-guardduty';
import { emulatorClientOptions } from '../../emulator/clients';
import { sdkClientConfig } from '../../lambda/aws/clients';
import { toStepError } from '../../lambda/aws/errors';
import { ARCHIVE_STEP_ID, SECURITY_HUB_STEP_ID } from '../../lambda/close-loop/ids';
import type { Report } from '../../lambda/plan/document';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { userKeyFinding } from './support/findings';
import { readInbox } from './support/inbox';
import { ENFORCE_CONFIG, runPlaybook } from './support/run-playbook';

/*
 * Closing the loop (lambda/close-loop/) against the emulator. moto answers
 * neither Security Hub's BatchUpdateFindings nor GuardDuty's ArchiveFindings
 * (the first test holds that: if moto gains them, it fails, and these steps
 * can be tested here for real). Runs against it carry localEmulator
 * (emulator/runtime-config.ts): both steps are reported skipped, "not
 * available in the local emulator", never failed; the containment before
 * them and the notification after them are as always. The calls themselves
 * are proven with mocked clients (test/unit/close-loop/).
 */

let account: EmulatedAccount;

beforeAll(async () => {
  account = await freshSeededAccount();
});

it('moto has no BatchUpdateFindings nor ArchiveFindings', async () => {
  const securityHub = new SecurityHubClient(sdkClientConfig(emulatorClientOptions(account.endpoint)));
  const failureOf = (call: () => Promise<unknown>) =>
    call().then(
      () => undefined,
      (e: unknown) => toStepError(e),
    );
  const update = await failureOf(() =>
    securityHub.send(
      new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: 'x', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty' }], Note: { Text: 't', UpdatedBy: 'u' } }),
    ),
  );
  const archive = await failureOf(() => account.clients.guardDuty.send(new ArchiveFindingsCommand({ DetectorId: 'd', FindingIds: ['f'] })));
  // moto answers what it does not implement with an HTML page (HTTP 500) or a 404: never an answer of the API.
  expect(update).toBeDefined();
  expect(archive).toBeDefined();
});

describe('a stolen key answered with both steps on', () => {
  let report: Report;

  beforeAll(async () => {
    const [stolen] = account.seed.identities.user.accessKeyIds;
    report = await runPlaybook(account, userKeyFinding(account.seed, stolen), {
      config: { ...ENFORCE_CONFIG, securityHub: { ...ENFORCE_CONFIG.securityHub, updateFindings: true }, guardDuty: { archiveAfterContainment: true } },
    });
  });

  it('contains as always, then reports both steps "not available in the local emulator", skipped, in the notification too', async () => {
    expect(report.steps.filter((s) => ['deactivate-access-key', 'revoke-user-sessions'].includes(s.id)).map((s) => s.status)).toEqual(['done', 'done']);
    expect(report.steps.find((s) => s.id === SECURITY_HUB_STEP_ID)).toMatchObject({
      status: 'skipped',
      reason: 'not available in the local emulator (Security Hub: moto does not implement securityhub:BatchUpdateFindings; on AWS it answers)',
    });
    expect(report.steps.find((s) => s.id === ARCHIVE_STEP_ID)).toMatchObject({
      status: 'skipped',
      reason: 'not available in the local emulator (GuardDuty findings: moto does not implement guardduty:ArchiveFindings; on AWS it answers)',
    });
    const [notification] = await readInbox(account.sqs, account.seed.notifications.inboxQueueUrl);
    expect(notification?.message).toContain('Note the response on the finding in Security Hub');
    expect(notification?.message).toContain('not available in the local emulator (Security Hub: moto does not implement securityhub:BatchUpdateFindings; on AWS it answers)');
  });
});
