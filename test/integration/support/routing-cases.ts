import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { GUARDDUTY_DETAIL_TYPE, GUARDDUTY_EVENT_SOURCE } from '../../../lambda/routing/event-patterns';
import { loadFixture, loadFixtures } from '../../support/fixtures';

/*
 * Every finding the routing test sends through EventBridge: the fixtures
 * (their shapes learnt from real findings) and a few edge cases of our own
 * for the complement (notify) rules.
 */

export interface RoutingCase {
  readonly name: string;
  readonly finding: Finding;
}

type Json = Record<string, unknown>;

function casesOf(name: string, json: unknown): RoutingCase[] {
  const findings = parseFindings(json);
  return findings.map((finding, i) => ({ name: findings.length === 1 ? name : `${name}#${i}`, finding }));
}

export function fixtureCases(): RoutingCase[] {
  return loadFixtures().flatMap((fixture) => casesOf(`fixtures/${fixture.name}`, fixture.json));
}

function variant(fixture: string, name: string, edit: (detail: Json) => void): RoutingCase {
  const event = structuredClone(loadFixture(fixture)) as Json;
  edit(event.detail as Json);
  return { name: `edge/${name}`, finding: parseFindings(event)[0]! };
}

const INSTANCE_FIXTURE = 'contain-instance/crypto-bitcoin-tool.event.json';
const ACCESS_KEY_FIXTURE = 'revoke-credentials/malicious-ip-caller-user-key.event.json';
const ECS_FIXTURE = 'contain-task/fargate-bitcoin-dns.event.json';

function withType(type: string, role?: string | null): (detail: Json) => void {
  return (detail) => {
    detail.type = type;
    const service = detail.service as Json;
    if (role === null) delete service.resourceRole;
    else if (role !== undefined) service.resourceRole = role;
  };
}

export function edgeCases(): RoutingCase[] {
  return [
    variant(INSTANCE_FIXTURE, 'future type under an acted prefix', withType('Backdoor:EC2/VariantFromTheFuture')),
    variant(INSTANCE_FIXTURE, 'instance type no rule lists', withType('Recon:EC2/PortProbeUnprotectedPort')),
    variant(INSTANCE_FIXTURE, 'ssh brute force by the instance (ACTOR)', withType('UnauthorizedAccess:EC2/SSHBruteForce', 'ACTOR')),
    variant(INSTANCE_FIXTURE, 'ssh brute force against the instance (TARGET)', withType('UnauthorizedAccess:EC2/SSHBruteForce', 'TARGET')),
    variant(INSTANCE_FIXTURE, 'rdp brute force with no resource role', withType('UnauthorizedAccess:EC2/RDPBruteForce', null)),
    variant(INSTANCE_FIXTURE, 'resource type no playbook acts on', (detail) => {
      (detail.resource as Json).resourceType = 'Container';
    }),
    variant(INSTANCE_FIXTURE, 'no resource type', (detail) => {
      delete (detail.resource as Json).resourceType;
    }),
    variant(ECS_FIXTURE, 'future runtime type on an ECS cluster', withType('Backdoor:Runtime/VariantFromTheFuture')),
    variant(ECS_FIXTURE, 'attack sequence on an ECS cluster', withType('AttackSequence:ECS/CompromisedCluster')),
    variant(ECS_FIXTURE, 'crypto miner executed on an ECS cluster', withType('Impact:Runtime/CryptoMinerExecuted')),
    variant(ECS_FIXTURE, 'runtime type reported only, on an ECS cluster', withType('Discovery:Runtime/SuspiciousCommand')),
    variant(ECS_FIXTURE, 'runtime type on an EKS cluster', (detail) => {
      (detail.resource as Json).resourceType = 'EKSCluster';
    }),
    variant(ACCESS_KEY_FIXTURE, 'future access key type under an acted prefix', withType('Recon:IAMUser/MaliciousIPCaller.Future')),
    variant(ACCESS_KEY_FIXTURE, 'access key type no rule lists', withType('Policy:IAMUser/RootCredentialUsage')),
  ];
}

/** Marks an event so its deliveries can be told apart; patterns never look at `resources`. */
export function caseMarker(index: number): string {
  return `urn:ir-routing-test:case:${index}`;
}

/** The event GuardDuty would put on the bus: the normalised (camelCase) finding as detail. */
export function putEventsEntry(routingCase: RoutingCase, index: number): PutEventsRequestEntry {
  return {
    Source: GUARDDUTY_EVENT_SOURCE,
    DetailType: GUARDDUTY_DETAIL_TYPE,
    Detail: JSON.stringify(routingCase.finding),
    Resources: [caseMarker(index)],
  };
}
