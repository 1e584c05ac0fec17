import type { ReadMoveFacts } from './early/read-moves';
import type { EarlyMoveFacts } from './early/early-move';
import type { StepError } from '../../aws/errors';
import type { SecurityGroupPurpose } from './names';

/*
 * What the playbook knows about the instance when it plans. Anything that
 * could not be read (a failed call, or planning offline from the finding)
 * is `unknown` with the reason, never silently empty: "no target groups"
 * and "could not tell" lead to different plans and different warnings.
 */

/** The instance's instance-profile association: what disassociating it (and restoring it) needs. */
export interface ProfileAssociation {
  readonly associationId: string;
  readonly profileArn: string;
}

export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly why: string };

export function known<T>(value: T): Known<T> {
  return { known: true, value };
}

export function unknown<T>(why: string): Known<T> {
  return { known: false, why };
}

export type InstanceLookup =
  | { readonly status: 'found' }
  | { readonly status: 'missing-id' }
  | { readonly status: 'not-found'; readonly detail: string }
  | { readonly status: 'unreadable'; readonly error: StepError };

export interface NetworkInterfaceFacts {
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  readonly securityGroupIds: readonly string[];
}

export interface VolumeFacts {
  readonly deviceName: string;
  readonly volumeId: string;
  readonly deleteOnTermination: boolean;
}

/**
 * One rule of a security group, one peer per rule, as DescribeSecurityGroups
 * lists it: the whole rule list is kept, so a group found by tag can be
 * verified against exactly what the responder would have made.
 */
export interface SecurityGroupRule {
  /** `-1` (all traffic), `tcp`, `udp`, `icmp`, a protocol number... */
  readonly protocol: string;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  /** `ipv4:0.0.0.0/0`, `ipv6:::/0`, `group:sg-...`, `prefix-list:pl-...`. */
  readonly peer: string;
}

/** A security group carrying the responder's tags. Tags and names can be written by others: nothing here is trusted before it is verified. */
export interface ResponderSecurityGroup {
  readonly groupId: string;
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  readonly purpose: SecurityGroupPurpose;
  readonly tags: Readonly<Record<string, string>>;
  readonly ingress: readonly SecurityGroupRule[];
  readonly egress: readonly SecurityGroupRule[];
}

export interface RoleFacts {
  readonly roleName: string;
  readonly path: string;
  readonly arn: string;
}

export interface InstanceProfileFacts {
  readonly arn: string;
  /**
   * Present: no profile is attached now; this is the one an earlier response
   * removed, as the ledger's restore record holds it (never the instance's
   * tags, which whoever is on the instance can write). Its role's sessions
   * are revoked again, since the earlier revocation may have failed.
   */
  readonly removedEarlier?: { readonly restoreRecord: string };
  /** null: the profile holds no role. */
  readonly role: Known<RoleFacts | null>;
  /** Other running instances using the same profile. */
  readonly sharedWith: Known<readonly string[]>;
}

export interface AutoScalingMembership {
  readonly groupName: string;
  readonly lifecycleState: string;
}

export interface TargetGroupMembership {
  readonly targetGroupArn: string;
  readonly targetGroupName: string;
  /** The instance can be registered on several ports of one group. */
  readonly ports: readonly number[];
}

/** A target group whose targets could not be read: the instance may still be in it. */
export interface UnreadTargetGroup {
  readonly targetGroupArn: string;
  readonly code: string;
}

/** What isolation needs, from the first round of reads (DescribeInstances and the responder's groups). */
export interface IsolationFacts {
  /** `aws`: read now; `finding`: taken from the finding (offline plan). */
  readonly source: 'aws' | 'finding';
  readonly instanceId: string | null;
  readonly lookup: InstanceLookup;
  readonly state: string | null;
  readonly networkInterfaces: readonly NetworkInterfaceFacts[];
  readonly volumes: Known<readonly VolumeFacts[]>;
  readonly tags: Readonly<Record<string, string>>;
  readonly responderSecurityGroups: Known<readonly ResponderSecurityGroup[]>;
  /** The early move this response sent before any read (early/early-move.ts); absent when it sent none. */
  readonly early?: EarlyMoveFacts;
  /** The moves by ENI id sent as soon as the read was in (early/read-moves.ts); absent when none were sent. */
  readonly readMoves?: readonly ReadMoveFacts[];
}

/** Everything else: read at the same time, but only needed once the instance is isolated. */
export interface InstanceFacts extends IsolationFacts {
  /** null: no instance profile, attached now or removed by an earlier response. */
  readonly instanceProfile: InstanceProfileFacts | null;
  /** Why the restore record could not be read, when no profile is attached: an earlier response may have removed one. */
  readonly removedProfileUnread?: string;
  /** The id of the instance's current profile association; null when none. */
  readonly profileAssociationId: Known<string | null>;
  /** null: not in an Auto Scaling group. */
  readonly autoScaling: Known<AutoScalingMembership | null>;
  readonly targetGroups: Known<readonly TargetGroupMembership[]>;
  readonly unreadTargetGroups: readonly UnreadTargetGroup[];
  /** Snapshots already taken for this finding (a second delivery). */
  readonly evidenceSnapshots: Known<readonly string[]>;
  /** Termination protection before the response, for the restore record. Absent: not read (offline, or an instance that could not be read). */
  readonly terminationProtection?: Known<boolean>;
}
