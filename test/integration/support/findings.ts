import { randomBytes } from 'node:crypto';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import type { SeededRole } from '../../../emulator/seed/iam';
import type { SeededInstance } from '../../../emulator/seed/instances';
import type { SeededAccount } from '../../../emulator/seed-account';
import { loadFixture } from '../../support/fixtures';

/*
 * GuardDuty findings about the seeded account. Each starts from a fixture
 * event (the shape GuardDuty sends to EventBridge) and gets the seeded ids
 * substituted, then goes through the real parser, as in the Lambda.
 */

type Json = Record<string, unknown>;

export interface FindingOptions {
  /** GuardDuty finding id; a fresh one by default, so each call is a new incident. */
  readonly id?: string;
  readonly type?: string;
  readonly severity?: number;
}

export function newFindingId(): string {
  return randomBytes(16).toString('hex');
}

function templateEvent(fixture: string): Json {
  const event = structuredClone(loadFixture(fixture)) as Json;
  if (typeof event.detail !== 'object' || event.detail === null) throw new Error(`fixture ${fixture} is not an EventBridge event`);
  return event;
}

/** Puts the seeded account, region, a finding id and ARN on an event; returns its detail for further edits. */
function retarget(event: Json, seed: SeededAccount, options: FindingOptions): Json {
  const detail = event.detail as Json;
  const id = options.id ?? newFindingId();
  event.account = seed.accountId;
  event.region = seed.region;
  detail.accountId = seed.accountId;
  detail.region = seed.region;
  detail.id = id;
  detail.arn = `arn:aws:guardduty:${seed.region}:${seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}`;
  if (options.type) {
    detail.type = options.type;
    detail.title = `${options.type} finding`;
  }
  if (options.severity !== undefined) detail.severity = options.severity;
  return detail;
}

function groupNames(seed: SeededAccount): Record<string, string> {
  const { web, admin, database } = seed.network.securityGroups;
  return { [web]: 'web-tier', [admin]: 'ssh-admin', [database]: 'db-access' };
}

function only(findings: Finding[]): Finding {
  if (findings.length !== 1) throw new Error(`expected one finding, parsed ${findings.length}`);
  return findings[0]!;
}

/** An EventBridge event: a compromised instance (crypto mining by default), as GuardDuty describes it. */
export function instanceFindingEvent(seed: SeededAccount, instance: SeededInstance, options: FindingOptions = {}): Json {
  const event = templateEvent('contain-instance/crypto-bitcoin-tool.event.json');
  const detail = retarget(event, seed, options);
  const names = groupNames(seed);
  const resource = detail.resource as Json;
  resource.instanceDetails = {
    ...(resource.instanceDetails as Json),
    availabilityZone: instance.availabilityZone,
    imageId: instance.imageId,
    instanceId: instance.instanceId,
    instanceState: 'running',
    networkInterfaces: instance.networkInterfaces.map((eni) => ({
      ipv6Addresses: [],
      networkInterfaceId: eni.networkInterfaceId,
      privateIpAddress: eni.privateIpAddress,
      privateIpAddresses: [{ privateIpAddress: eni.privateIpAddress }],
      securityGroups: eni.groupIds.map((groupId) => ({ groupId, groupName: names[groupId] ?? groupId })),
      subnetId: eni.subnetId,
      vpcId: seed.network.vpcId,
    })),
    tags: Object.entries(instance.tags).map(([key, value]) => ({ key, value })),
    iamInstanceProfile:
      instance.instanceProfileArn === null ? null : { arn: instance.instanceProfileArn, id: seed.identities.instanceProfile.id },
  };
  return event;
}

export function instanceFinding(seed: SeededAccount, instance: SeededInstance, options: FindingOptions = {}): Finding {
  return only(parseFindings(instanceFindingEvent(seed, instance, options)));
}

/** A long-term key of the seeded user used from a known-malicious IP. */
export function userKeyFinding(seed: SeededAccount, accessKeyId: string, options: FindingOptions = {}): Finding {
  const event = templateEvent('revoke-credentials/malicious-ip-caller-user-key.event.json');
  const detail = retarget(event, seed, options);
  const { user } = seed.identities;
  (detail.resource as Json).accessKeyDetails = { accessKeyId, principalId: user.userId, userName: user.userName, userType: 'IAMUser' };
  return only(parseFindings(event));
}

/** Temporary credentials of a role session used from outside AWS. */
export function assumedRoleFinding(seed: SeededAccount, role: SeededRole, options: FindingOptions = {}): Finding {
  const event = templateEvent('revoke-credentials/instance-credential-exfiltration-outside.event.json');
  const detail = retarget(event, seed, options);
  (detail.resource as Json).accessKeyDetails = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    principalId: `${role.roleId}:stolen-session`,
    userName: role.roleName,
    userType: 'AssumedRole',
  };
  return only(parseFindings(event));
}
