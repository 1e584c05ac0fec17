import { fromIni } from '@aws-sdk/credential-providers';
import { createAwsClients, type AwsClients } from '../lambda/aws/clients';
import type { Finding } from '../lambda/finding/schema';
import { UsageError } from './exit-codes';

export interface AwsCliOptions {
  readonly endpointUrl?: string;
  readonly profile?: string;
  readonly region?: string;
}

/** The operator's credentials (default chain or --profile), in the finding's region. */
export function clientsForFinding(finding: Finding, options: AwsCliOptions): AwsClients {
  const region = finding.region ?? options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError(`finding ${finding.id} names no region: pass --region`);
  return createAwsClients({
    region,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { credentials: fromIni({ profile: options.profile }) } : {}),
  });
}
