import type { CredentialDecision } from './credential-policy';
import type { InstanceFacts, Known } from './facts';

/** Known values as themselves, unknown ones as `{ unknown: why }`, so the report tells "none" from "could not tell". */
function shown<T>(value: Known<T>): T | { unknown: string } {
  return value.known ? value.value : { unknown: value.why };
}

/** What the playbook learned about the instance, as plain JSON for the report. */
export function resourceSummary(facts: InstanceFacts, credentials: CredentialDecision): Record<string, unknown> {
  const profile = facts.instanceProfile;
  return {
    resourceType: 'Instance',
    source: facts.source,
    instanceId: facts.instanceId,
    lookup: facts.lookup.status,
    state: facts.state,
    vpcIds: [...new Set(facts.networkInterfaces.map((e) => e.vpcId))],
    networkInterfaces: facts.networkInterfaces.map((e) => ({ ...e, securityGroupIds: [...e.securityGroupIds] })),
    volumes: shown(facts.volumes),
    instanceProfile: profile
      ? {
          arn: profile.arn,
          ...(profile.removedEarlier ? { removedEarlier: profile.removedEarlier } : {}),
          role: shown(profile.role),
          sharedWith: shown(profile.sharedWith),
          associationId: shown(facts.profileAssociationId),
        }
      : null,
    ...(facts.removedProfileUnread ? { removedInstanceProfile: { unknown: facts.removedProfileUnread } } : {}),
    credentials: { cut: credentials.cut, why: credentials.why },
    autoScalingGroup: shown(facts.autoScaling),
    targetGroups: shown(facts.targetGroups),
    evidenceSnapshots: shown(facts.evidenceSnapshots),
    responderSecurityGroups: shown(facts.responderSecurityGroups),
  };
}
