import type { SNSClient } from '@aws-sdk/client-sns';
import { MemberRoleError, type AccountAccess } from '../aws/account-access';
import { parseArn } from '../aws/arn';
import type { AwsClients } from '../aws/clients';
import { sessionNameFor } from '../aws/member-role';
import { refusingClients } from '../aws/refusing-clients';
import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import { rulingForAccount } from '../guards/account-not-allowed';
import { block, type GuardVerdict } from '../guards/types';
import { isPhaseTimedOut, type PhaseBound } from '../plan/pre-plan-budget';
import type { StepOutcome } from '../plan/types';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';

/*
 * Before a playbook reads anything: reach the account the finding names.
 * The home account is used as is; another account through its member role.
 * When the role cannot be assumed the response still goes on, planned from
 * the finding alone, with the failed AssumeRole in the report and a verdict
 * blocking every change, and the notification still goes out from the home
 * account: never a silent drop.
 */

export const NO_ACCOUNT_ACCESS = 'no-account-access';

export interface FindingAccount {
  /** Clients to read with in the finding's account; absent when it is not reached (the plan then comes from the finding alone). */
  readonly clients: AwsClients | undefined;
  /** What the plan executes with: `clients`, or clients that refuse every call. */
  readonly executionClients: AwsClients;
  /** The AssumeRole call, when one was needed. */
  readonly reads: StepOutcome[];
  readonly verdicts: GuardVerdict[];
  /** The home account's SNS client, in the topic's region: the topic is the security account's. */
  readonly notificationSns: SNSClient;
}

export interface ReachInput {
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  readonly config: RuntimeConfig;
  readonly access: AccountAccess;
  /** The finding's region, or the responder's when the finding names none. */
  readonly region: string;
  readonly topicArn: string | undefined;
  /** Bounds AssumeRole by its phase's cut-off (lambda/plan/pre-plan-budget.ts); absent: only the SDK's limits. */
  readonly phase?: PhaseBound;
}

function assumeOutcome(accountId: string, roleName: string, roleArn: string, started: number, result: Pick<StepOutcome, 'status' | 'detail' | 'error'>): StepOutcome {
  return {
    id: `read:assume-role:${accountId}`,
    title: `Assume ${roleName} in account ${accountId}`,
    action: 'sts:AssumeRole',
    target: roleArn,
    mutating: false,
    ...result,
    durationMs: Date.now() - started,
  };
}

export async function reachFindingAccount(input: ReachInput): Promise<FindingAccount> {
  const { finding, access, region } = input;
  const notificationSns = access.homeClients(parseArn(input.topicArn ?? '')?.region || region).sns;
  const accountId = finding.accountId;
  // No account, or one the configuration keeps out: nothing is read or assumed there; the guards say why.
  if (!accountId || !rulingForAccount(input.config.accounts, accountId).allowed) {
    const why = accountId ? `the responder does not act in account ${accountId}` : 'the finding names no account';
    return { clients: undefined, executionClients: refusingClients(NO_ACCOUNT_ACCESS, why), reads: [], verdicts: [], notificationSns };
  }
  if (!actsInFindingAccount(input.playbook)) {
    const clients = refusingClients(NO_ACCOUNT_ACCESS, `${input.playbook} makes no call in account ${accountId}`);
    return { clients, executionClients: clients, reads: [], verdicts: [], notificationSns };
  }
  const home = await access.homeIdentity();
  if (accountId === home.accountId) {
    const clients = access.homeClients(region);
    return { clients, executionClients: clients, reads: [], verdicts: [], notificationSns };
  }
  const roleArn = await access.memberRoleArn(accountId);
  const sessionName = sessionNameFor(finding.id);
  const started = Date.now();
  try {
    const target = { accountId, region, sessionName };
    const clients = await (input.phase ? input.phase.run(`Assume ${roleArn}`, () => access.clientsIn(target)) : access.clientsIn(target));
    const read = assumeOutcome(accountId, access.memberRoleName, roleArn, started, { status: 'done', detail: `session ${sessionName}` });
    return { clients, executionClients: clients, reads: [read], verdicts: [], notificationSns };
  } catch (error) {
    // Out of time: nothing is read or changed there; the budget's verdict names the phase, and a retry assumes the role again.
    if (isPhaseTimedOut(error)) {
      const read = assumeOutcome(accountId, access.memberRoleName, roleArn, started, { status: 'failed', error: { code: error.code, message: error.message, retryable: true } });
      return { clients: undefined, executionClients: refusingClients(NO_ACCOUNT_ACCESS, error.message), reads: [read], verdicts: [], notificationSns };
    }
    if (!(error instanceof MemberRoleError)) throw error;
    const read = assumeOutcome(accountId, access.memberRoleName, roleArn, started, {
      status: 'failed',
      error: { code: error.code, message: error.message, retryable: error.retryable },
    });
    const verdict = block(
      NO_ACCOUNT_ACCESS,
      `role ${roleArn} could not be assumed in account ${accountId} (${error.code}): nothing is read or changed there. ` +
        'Deploy the member stack in that account, or check that its role trusts this playbook.',
    );
    return { clients: undefined, executionClients: refusingClients(NO_ACCOUNT_ACCESS, error.message), reads: [read], verdicts: [verdict], notificationSns };
  }
}
