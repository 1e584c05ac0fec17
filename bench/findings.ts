import { loadFixture } from '../test/support/fixtures';

/*
 * EventBridge events as GuardDuty sends them, from the project's fixtures,
 * aimed at the benchmark's instances. The handler gets exactly what Lambda
 * would hand it.
 */

type Json = Record<string, unknown>;

export interface InstanceEventInput {
  readonly findingId: string;
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
  /** The instance's ENIs as GuardDuty lists them (an early move needs the one ENI's VPC: lambda/playbooks/contain-instance/early/); none by default. */
  readonly networkInterfaces?: readonly { readonly networkInterfaceId: string; readonly vpcId: string; readonly groupIds: readonly string[] }[];
}

export function instanceFindingEvent(input: InstanceEventInput): Json {
  const event = structuredClone(loadFixture('contain-instance/crypto-bitcoin-tool.event.json')) as Json;
  const detail = event.detail as Json;
  event.account = input.accountId;
  event.region = input.region;
  detail.accountId = input.accountId;
  detail.region = input.region;
  detail.id = input.findingId;
  detail.arn = `arn:aws:guardduty:${input.region}:${input.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${input.findingId}`;
  // A new finding, delivered for the first time (GuardDuty's count 1): each run is about a fresh instance.
  detail.service = { ...(detail.service as Json), count: 1 };
  // Generated just now: an old finding is a late delivery, never moved before the read (lambda/playbooks/contain-instance/early/early-move.ts).
  detail.createdAt = detail.updatedAt = new Date().toISOString();
  const resource = detail.resource as Json;
  // The handler reads the instance from EC2; the finding only has to name it.
  resource.instanceDetails = { ...(resource.instanceDetails as Json), instanceId: input.instanceId, instanceState: 'running', networkInterfaces: networkInterfacesOf(input), tags: [] };
  return event;
}

function networkInterfacesOf(input: InstanceEventInput): Json[] {
  return (input.networkInterfaces ?? []).map((eni) => ({
    networkInterfaceId: eni.networkInterfaceId,
    vpcId: eni.vpcId,
    securityGroups: eni.groupIds.map((groupId) => ({ groupId, groupName: groupId })),
  }));
}

/** A finding of a playbook's own fixture folder, retargeted to the account, for the memory runs. */
export function fixtureEvent(fixture: string, accountId: string, region: string, findingId: string): Json {
  const event = structuredClone(loadFixture(fixture)) as Json;
  const detail = event.detail as Json;
  event.account = accountId;
  event.region = region;
  detail.accountId = accountId;
  detail.region = region;
  detail.id = findingId;
  return event;
}
