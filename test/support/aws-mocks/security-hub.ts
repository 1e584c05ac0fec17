import { BatchUpdateFindingsCommand, SecurityHubClient, type BatchUpdateFindingsCommandInput } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';

/*
 * Security Hub as the security account (its administrator) answers the
 * close-the-loop note (lambda/close-loop/). The local emulator (moto) has no
 * BatchUpdateFindings, so it is covered here, with mocked clients.
 */

/** Mocks the Security Hub client class for a test file; restored after it. */
export function useSecurityHub() {
  const mock = mockClient(SecurityHubClient);
  afterAll(() => mock.restore());
  return mock;
}

export type SecurityHubMock = ReturnType<typeof useSecurityHub>;

/** Security Hub updates every finding it is asked to. */
export function securityHubUpdates(mock: SecurityHubMock): void {
  mock.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) =>
    Promise.resolve({ ProcessedFindings: input.FindingIdentifiers ?? [], UnprocessedFindings: [] }),
  );
}

/** Security Hub is not enabled in the account and region: what it answers every call with. */
export function securityHubNotEnabled(mock: SecurityHubMock): void {
  mock.on(BatchUpdateFindingsCommand).rejects(
    Object.assign(new Error('Account 111111111111 is not subscribed to AWS Security Hub'), {
      name: 'InvalidAccessException',
      Code: 'InvalidAccessException',
      $fault: 'client',
      $metadata: { httpStatusCode: 401 },
    }),
  );
}

/** Security Hub answers, but leaves the finding unprocessed with this code. */
export function securityHubLeavesUnprocessed(mock: SecurityHubMock, code: string, message: string): void {
  mock.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) =>
    Promise.resolve({
      ProcessedFindings: [],
      UnprocessedFindings: (input.FindingIdentifiers ?? []).map((id) => ({ FindingIdentifier: id, ErrorCode: code, ErrorMessage: message })),
    }),
  );
}

/** Every BatchUpdateFindings request received, as sent. */
export function updatesReceived(mock: SecurityHubMock): BatchUpdateFindingsCommandInput[] {
  return mock.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
}
