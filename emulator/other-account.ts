import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createAwsClients, sdkClientConfig, type AwsClientOptions, type AwsClients } from '../lambda/aws/clients';
import { EVERY_CLIENT } from '../lambda/aws/every-client';
import { emulatorClientOptions, EMULATOR_REGION } from './clients';
import { required } from './seed/util';

/*
 * A second (third, ...) account in the emulator. moto keeps every account's
 * resources apart and tells accounts apart by access key: keys it does not
 * know (the `testing` key of emulator/clients.ts) act in 123456789012, and
 * the temporary key AssumeRole returns acts in the account of the role ARN
 * it was asked for. The role need not exist: moto does not check, so these
 * clients stand for an administrator of that account (the
 * OrganizationAccountAccessRole AWS Organizations creates).
 */

/** The account the emulator's default credentials act in. */
export const EMULATOR_DEFAULT_ACCOUNT = '123456789012';

const ADMIN_ROLE = 'OrganizationAccountAccessRole';

export interface OtherAccountClients {
  readonly accountId: string;
  readonly options: AwsClientOptions;
  readonly clients: AwsClients;
  readonly sqs: SQSClient;
}

async function adminCredentials(endpoint: string, accountId: string, region: string): Promise<AwsCredentialIdentity> {
  const sts = createAwsClients(emulatorClientOptions(endpoint, region), EVERY_CLIENT).sts;
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${ADMIN_ROLE}`, RoleSessionName: 'emulator-admin' }),
  );
  return {
    accessKeyId: required(c?.AccessKeyId, 'access key id'),
    secretAccessKey: required(c?.SecretAccessKey, 'secret access key'),
    sessionToken: required(c?.SessionToken, 'session token'),
  };
}

/** Clients acting in `accountId` of the emulator at `endpoint`, to seed it or read it back. */
export async function otherAccountClients(endpoint: string, accountId: string, region: string = EMULATOR_REGION): Promise<OtherAccountClients> {
  const options = { ...emulatorClientOptions(endpoint, region), credentials: await adminCredentials(endpoint, accountId, region) };
  return { accountId, options, clients: createAwsClients(options, EVERY_CLIENT), sqs: new SQSClient(sdkClientConfig(options)) };
}
