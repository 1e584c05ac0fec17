import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { AccountAccess, type HomeIdentity } from '../lambda/aws/account-access';
import { parseArn } from '../lambda/aws/arn';
import type { AwsClientOptions } from '../lambda/aws/clients';
import { ResponderError, toStepError } from '../lambda/aws/errors';
import type { Finding } from '../lambda/finding/schema';
import { UsageError } from './exit-codes';
import { EVERY_CLIENT } from '../lambda/aws/every-client';

/*
 * `ir` acts with the operator's credentials (default chain or --profile):
 * their account is the home account, learned from STS GetCallerIdentity,
 * and a finding of any other account is planned and answered there through
 * the member role, exactly as the Lambda does.
 */

export interface AwsCliOptions {
  readonly endpointUrl?: string;
  readonly profile?: string;
  readonly region?: string;
  /** Not a command-line option: the demo's emulator (endpoint, its credentials, one attempt per call). */
  readonly clientOverrides?: Omit<AwsClientOptions, 'region'>;
}

/** The finding's region, else --region, else the environment's. */
export function regionForFinding(finding: Finding, options: AwsCliOptions): string {
  const region = finding.region ?? options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError(`finding ${finding.id} names no region: pass --region`);
  return region;
}

function baseOptions(options: AwsCliOptions): Omit<AwsClientOptions, 'region'> {
  return {
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { credentials: fromIni({ profile: options.profile }) } : {}),
    ...options.clientOverrides,
  };
}

/**
 * Access to the finding accounts as the operator. GetCallerIdentity is
 * asked once, and only when a finding needs it, in `identityRegion`.
 */
export function operatorAccess(options: AwsCliOptions, memberRoleName: string, identityRegion: string): AccountAccess {
  const access: AccountAccess = new AccountAccess({
    base: baseOptions(options),
    clientClasses: EVERY_CLIENT,
    memberRoleName,
    home: async (): Promise<HomeIdentity> => {
      try {
        const identity = await access.homeClients(identityRegion).sts.send(new GetCallerIdentityCommand({}));
        const arn = parseArn(identity.Arn ?? '');
        if (!identity.Account || !arn) throw new ResponderError('IncompleteIdentity', 'GetCallerIdentity named no account or ARN');
        return { accountId: identity.Account, partition: arn.partition };
      } catch (error) {
        const aws = toStepError(error);
        throw new ResponderError(aws.code, `cannot tell which account your credentials belong to (sts:GetCallerIdentity): ${aws.message}`);
      }
    },
  });
  return access;
}
