import { responderGroupOf } from '../../../lambda/playbooks/contain-instance/discovery/read-security-groups';
import { known, type InstanceFacts, type ResponderSecurityGroup } from '../../../lambda/playbooks/contain-instance/facts';
import type { PlanningInput } from '../../../lambda/playbooks/types';
import type { Finding } from '../../../lambda/finding/schema';
import { containFinding, enforceConfig, NOW, RESPONDER } from './contain-finding';
import { ASSOCIATION_ID, INSTANCE_ID, ISOLATION_SG_A, PRIMARY_ENI, PROFILE_ARN, responderGroup, ROLE_NAME, SECONDARY_ENI, UNTRACK_SG_A, VPC_A } from './contain-world';

/** A group of the test world as discovery turns it into facts. */
export function responderGroupFacts(...args: Parameters<typeof responderGroup>): ResponderSecurityGroup {
  const facts = responderGroupOf(responderGroup(...args));
  if (!facts) throw new Error('not a responder group');
  return facts;
}

/** Facts as discovery returns them for the default test world, for planning tests that need no AWS at all. */
export function containFacts(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    source: 'aws',
    instanceId: INSTANCE_ID,
    lookup: { status: 'found' },
    state: 'running',
    networkInterfaces: [
      { networkInterfaceId: PRIMARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0web000000000001', 'sg-0ssh000000000001'] },
      { networkInterfaceId: SECONDARY_ENI, vpcId: VPC_A, securityGroupIds: ['sg-0db0000000000001'] },
    ],
    volumes: known([
      { deviceName: '/dev/xvda', volumeId: 'vol-0root00000000001', deleteOnTermination: true },
      { deviceName: '/dev/sdf', volumeId: 'vol-0data00000000001', deleteOnTermination: false },
    ]),
    tags: { Name: 'web-01', env: 'prod' },
    instanceProfile: {
      arn: PROFILE_ARN,
      role: known({ roleName: ROLE_NAME, path: '/', arn: `arn:aws:iam::222222222222:role/${ROLE_NAME}` }),
      sharedWith: known([]),
    },
    profileAssociationId: known(ASSOCIATION_ID),
    responderSecurityGroups: known([
      responderGroupFacts(UNTRACK_SG_A, VPC_A, 'untrack'),
      responderGroupFacts(ISOLATION_SG_A, VPC_A, 'isolation'),
    ]),
    autoScaling: known(null),
    targetGroups: known([]),
    unreadTargetGroups: [],
    evidenceSnapshots: known([]),
    terminationProtection: known(false),
    ...overrides,
  };
}

export function planningInput(facts: InstanceFacts, overrides: Partial<PlanningInput<InstanceFacts>> & { finding?: Finding } = {}): PlanningInput<InstanceFacts> {
  return {
    finding: containFinding(),
    facts,
    config: enforceConfig(),
    incidentId: 'ir-0123456789abcdef',
    now: NOW,
    responder: RESPONDER,
    ...overrides,
  };
}
