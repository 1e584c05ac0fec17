import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeededAccount } from '../emulator/seed-account';
import type { SeededInstance } from '../emulator/seed/instances';

/*
 * The demo's findings are real-shaped GuardDuty events with placeholders
 * ({{INSTANCE_A_ID}}, ...) for the ids the emulator hands out when the
 * account is seeded.
 */

export const DEMO_FINDINGS_DIR = join(__dirname, 'findings');

export interface DemoFinding {
  readonly file: string;
  readonly event: unknown;
}

function placeholders(seed: SeededAccount): Record<string, string> {
  const a = seed.instanceA;
  const b = seed.instanceB;
  return {
    ACCOUNT_ID: seed.accountId,
    REGION: seed.region,
    AZ: seed.network.availabilityZone,
    VPC: seed.network.vpcId,
    SUBNET: seed.network.subnetIds[0],
    WEB_SG: seed.network.securityGroups.web,
    INSTANCE_IP: a.networkInterfaces[0]!.privateIpAddress,
    INSTANCE_A_ID: a.instanceId,
    INSTANCE_A_IMAGE: a.imageId,
    INSTANCE_A_ENI: a.networkInterfaces[0]!.networkInterfaceId,
    INSTANCE_A_NAME: a.name,
    INSTANCE_B_ID: b.instanceId,
    INSTANCE_B_IMAGE: b.imageId,
    INSTANCE_B_ENI: b.networkInterfaces[0]!.networkInterfaceId,
    INSTANCE_B_NAME: b.name,
    INSTANCE_PROFILE_ARN: seed.identities.instanceProfile.arn,
    INSTANCE_ROLE_NAME: seed.identities.instanceRole.roleName,
    INSTANCE_ROLE_ID: seed.identities.instanceRole.roleId,
    USER_NAME: seed.identities.user.userName,
    USER_ID: seed.identities.user.userId,
    USER_KEY: seed.identities.user.accessKeyIds[0],
    ...workloadPlaceholders(seed),
  };
}

/** The bucket, function and database of the findings about other resource types (emulator/seed/workloads.ts), when seeded. */
function workloadPlaceholders(seed: SeededAccount): Record<string, string> {
  const workloads = seed.workloads;
  if (!workloads) return {};
  return {
    BUCKET: workloads.bucket.name,
    FUNCTION_NAME: workloads.lambdaFunction.name,
    FUNCTION_ARN: workloads.lambdaFunction.arn,
    FUNCTION_ROLE_ARN: workloads.lambdaFunction.roleArn,
    DB_INSTANCE: workloads.database.identifier,
  };
}

function instantiate(file: string, values: Record<string, string>): DemoFinding {
  const text = readFileSync(join(DEMO_FINDINGS_DIR, file), 'utf8').replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`demo finding ${file} uses an unknown placeholder {{${name}}}`);
    return value;
  });
  return { file, event: JSON.parse(text) as unknown };
}

export function demoFindings(seed: SeededAccount): DemoFinding[] {
  const values = placeholders(seed);
  return readdirSync(DEMO_FINDINGS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => instantiate(file, values));
}

/**
 * The first finding again, about instance B and with a finding id of its
 * own: a second crypto-mining instance, the containment that finds the
 * hour's brake slots used up.
 */
export function secondMinerFinding(seed: SeededAccount): DemoFinding {
  const b = seed.instanceB;
  const values = {
    ...placeholders(seed),
    INSTANCE_A_ID: b.instanceId,
    INSTANCE_A_IMAGE: b.imageId,
    INSTANCE_A_ENI: b.networkInterfaces[0]!.networkInterfaceId,
    INSTANCE_A_NAME: b.name,
    INSTANCE_IP: b.networkInterfaces[0]!.privateIpAddress,
  };
  const { file, event } = instantiate('1-crypto-mining-instance.json', values);
  const text = JSON.stringify(event).replaceAll('d1c0ffee0000000000000000000000a1', 'd1c0ffee0000000000000000000000b1').replaceAll('d1c0ffee-dem0-4000-8000-d1c0ffee0000', 'd1c0ffee-dem0-4000-8000-d1c0ffee00b1');
  return { file: file.replace(/^1-/, '9-second-'), event: JSON.parse(text) as unknown };
}

/**
 * The first finding again, about the approval's instance (demo/approval.ts), with a finding id of its own: its
 * isolation is one the policy gives to a person.
 */
export function approvalFinding(seed: SeededAccount, instance: SeededInstance): DemoFinding {
  const eni = instance.networkInterfaces[0]!;
  const values = {
    ...placeholders(seed),
    INSTANCE_A_ID: instance.instanceId,
    INSTANCE_A_IMAGE: instance.imageId,
    INSTANCE_A_ENI: eni.networkInterfaceId,
    INSTANCE_A_NAME: instance.name,
    INSTANCE_IP: eni.privateIpAddress,
  };
  const { file, event } = instantiate('1-crypto-mining-instance.json', values);
  const text = JSON.stringify(event).replaceAll('d1c0ffee0000000000000000000000a1', 'd1c0ffee0000000000000000000000c1').replaceAll('d1c0ffee-dem0-4000-8000-d1c0ffee0000', 'd1c0ffee-dem0-4000-8000-d1c0ffee00c1');
  return { file: file.replace(/^1-/, '10-approval-'), event: JSON.parse(text) as unknown };
}
