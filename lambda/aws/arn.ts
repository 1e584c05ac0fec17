/* The fields of an ARN (arn:partition:service:region:account:resource), without trusting its shape. */

export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId, ...resource] = parts as [string, string, string, string, string, ...string[]];
  if (!partition || !service) return undefined;
  return { partition, service, region, accountId, resource: resource.join(':') };
}
