import type { TagSpecification } from '@aws-sdk/client-ec2';

/** The emulator answered without a field seeding depends on: stop with its name rather than seed half an account. */
export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`seeding: the emulator returned no ${what}`);
  return value;
}

export function nameTag(resourceType: TagSpecification['ResourceType'], name: string): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: [{ Key: 'Name', Value: name }] }];
}
