import { CreateRoleCommand } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AccountAccess, type HomeIdentity } from '../../../lambda/aws/account-access';
import { DEFAULT_MEMBER_ROLE_NAME, type RuntimeConfig } from '../../../lambda/config/schema';
import type { Finding } from '../../../lambda/finding/schema';
import type { Report } from '../../../lambda/plan/document';
import { actsInFindingAccount } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import { PLAYBOOK_NAMES } from '../../../lambda/routing/playbook-names';
import { emulatorClientOptions, EMULATOR_REGION } from '../../../emulator/clients';
import { EMULATOR_DEFAULT_ACCOUNT, otherAccountClients } from '../../../emulator/other-account';
import { seedAccount } from '../../../emulator/seed-account';
import { DEFAULT_STACK_NAME, responderRoleName } from '../../../lib/naming';
import { freshSeededAccount, type EmulatedAccount } from './account';
import { ENFORCE_CONFIG, RESPONDER } from './run-playbook';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';

/*
 * A delegated-administrator setup in the emulator: the security account
 * (moto's default account, where the playbooks run and the topic is) and a
 * member account, both seeded with the same realistic resources, the
 * member one holding the member role the member stack would create.
 */

export const MEMBER_ACCOUNT = '210987654321';

export interface TwoAccounts {
  readonly endpoint: string;
  /** Where the playbooks run and notify. */
  readonly security: EmulatedAccount;
  /** Where the findings happen. */
  readonly member: EmulatedAccount;
}

/** The security account's playbook roles, as the security stack names them: what the member role trusts. */
export function securityPlaybookRoleArns(region: string = EMULATOR_REGION): string[] {
  return PLAYBOOK_NAMES.filter(actsInFindingAccount).map(
    (playbook) => `arn:aws:iam::${EMULATOR_DEFAULT_ACCOUNT}:role/${responderRoleName(DEFAULT_STACK_NAME, playbook, region)}`,
  );
}

/** An emptied emulator with both accounts seeded and the member role in the member account. */
export async function freshTwoAccounts(): Promise<TwoAccounts> {
  const security = await freshSeededAccount();
  const other = await otherAccountClients(security.endpoint, MEMBER_ACCOUNT);
  const seed = await seedAccount(other.clients, other.sqs, EMULATOR_REGION);
  if (seed.accountId !== MEMBER_ACCOUNT) throw new Error(`the member account was seeded as ${seed.accountId}, not ${MEMBER_ACCOUNT}`);
  await other.clients.iam.send(
    new CreateRoleCommand({
      RoleName: DEFAULT_MEMBER_ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: securityPlaybookRoleArns() }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  return { endpoint: security.endpoint, security, member: { ...security, clients: other.clients, sqs: other.sqs, seed } };
}

/**
 * The responder as the Lambda runs it in the security account, AssumeRole
 * included, against the emulator. `credentials`: the security account
 * principal it runs as (default: the emulator's default credentials).
 */
export function securityAccess(endpoint: string, credentials?: AwsCredentialIdentity): AccountAccess {
  const { region: _region, ...base } = emulatorClientOptions(endpoint);
  const home: HomeIdentity = { accountId: EMULATOR_DEFAULT_ACCOUNT, partition: 'aws' };
  return new AccountAccess({ home: async () => home, memberRoleName: DEFAULT_MEMBER_ROLE_NAME, clientClasses: EVERY_CLIENT, base: credentials ? { ...base, credentials } : base });
}

export interface CrossAccountRun {
  readonly access: AccountAccess;
  readonly topicArn: string;
  readonly dryRun?: boolean;
  readonly config?: RuntimeConfig;
}

/** respond() as the security account's playbook: reaches the finding's account itself. */
export function respondAsSecurityAccount(finding: Finding, run: CrossAccountRun): Promise<Report> {
  return respond(finding, {
    config: run.config ?? ENFORCE_CONFIG,
    access: run.access,
    dryRun: run.dryRun ?? false,
    topicArn: run.topicArn,
    responder: RESPONDER,
  });
}
