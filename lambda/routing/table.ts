import type { ActingPlaybookName } from './playbook-names';

/*
 * THE routing table. Plain data, read by the CDK rules (lib/), the Lambda
 * handlers and the `ir` CLI alike, so what is deployed and what `ir plan`
 * says cannot disagree.
 *
 * A finding is routed by its type and resource type, never by
 * service.resourceRole alone: GuardDuty marks most compromise findings
 * (crypto mining, C&C) with resourceRole TARGET. resourceRole only separates
 * attacker from victim for the brute-force types, listed in `actorOnly`.
 *
 * A type ending in `*` matches every type with that prefix (also the ones
 * GuardDuty adds later), except a prefix with a hole: one that holds an
 * attacker-only type, or a type the configuration removes or moves. Such a
 * family stands for its documented types (documented-types.ts) minus the
 * hole, because EventBridge cannot match "prefix except type"
 * (effectiveRoutingTable). Whatever no rule matches goes to `notify`: an
 * unknown finding never leads to action.
 */

export interface RoutingRule {
  readonly id: string;
  readonly playbook: ActingPlaybookName;
  readonly resourceType: string;
  /** Exact finding types, or prefixes ending in `*` (e.g. `Backdoor:EC2/*`). */
  readonly types: readonly string[];
  /** Exact types that count only when service.resourceRole is ACTOR. */
  readonly actorOnly: readonly string[];
  readonly why: string;
}

export const BRUTE_FORCE_TYPES = [
  'UnauthorizedAccess:EC2/SSHBruteForce',
  'UnauthorizedAccess:EC2/RDPBruteForce',
  'Impact:EC2/WinRMBruteForce',
] as const;

export const ROUTING_TABLE: readonly RoutingRule[] = [
  {
    id: 'instance-compromised',
    playbook: 'contain-instance',
    resourceType: 'Instance',
    types: [
      'Backdoor:EC2/*',
      'CryptoCurrency:EC2/*',
      'Trojan:EC2/*',
      // Holds WinRMBruteForce (attacker only): acted on as its documented types, see effectiveRoutingTable.
      'Impact:EC2/*',
      'UnauthorizedAccess:EC2/TorClient',
      'UnauthorizedAccess:EC2/TorRelay',
      'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
      'UnauthorizedAccess:EC2/MetadataDNSRebind',
      'Recon:EC2/Portscan',
      'Execution:EC2/MaliciousFile',
      'Execution:Runtime/*',
      'Backdoor:Runtime/*',
      'CryptoCurrency:Runtime/*',
      'Trojan:Runtime/*',
      'DefenseEvasion:Runtime/*',
      'PrivilegeEscalation:Runtime/*',
      ...BRUTE_FORCE_TYPES,
    ],
    actorOnly: [...BRUTE_FORCE_TYPES],
    why: 'the instance itself shows signs of compromise (or attacks others by brute force)',
  },
  {
    id: 'credential-misuse',
    playbook: 'revoke-credentials',
    resourceType: 'AccessKey',
    types: [
      'UnauthorizedAccess:IAMUser/*',
      'CredentialAccess:IAMUser/*',
      'Exfiltration:IAMUser/*',
      'Impact:IAMUser/*',
      'Persistence:IAMUser/*',
      'PrivilegeEscalation:IAMUser/*',
      'PenTest:IAMUser/*',
      'Recon:IAMUser/MaliciousIPCaller*',
    ],
    actorOnly: [],
    why: 'credentials are being misused and must stop working',
  },
  {
    id: 'database-login',
    playbook: 'contain-database',
    resourceType: 'RDSDBInstance',
    types: ['CredentialAccess:RDS/*'],
    actorOnly: [],
    why: 'someone logged in (or tried to) to the database who should not have: its data is kept and new connections are cut (with approval)',
  },
  {
    id: 'limitless-database-login',
    playbook: 'contain-database',
    resourceType: 'RDSLimitlessDB',
    types: ['CredentialAccess:RDS/*'],
    actorOnly: [],
    why: 'someone logged in (or tried to) to the Limitless database who should not have: its cluster is kept and new connections are cut (with approval)',
  },
  {
    id: 'infected-snapshot',
    playbook: 'quarantine-image',
    resourceType: 'EBSSnapshot',
    types: ['Execution:EC2/MaliciousFile!Snapshot'],
    actorOnly: [],
    why: 'malware in a snapshot: it is marked infected and shared with nobody, so no one restores it unawares',
  },
  {
    id: 'infected-image',
    playbook: 'quarantine-image',
    resourceType: 'EC2Image',
    types: ['Execution:EC2/MaliciousFile!AMI'],
    actorOnly: [],
    why: 'malware in an AMI: it is marked infected and shared with nobody, so no one launches it unawares',
  },
  {
    id: 'infected-recovery-point',
    playbook: 'quarantine-image',
    resourceType: 'RecoveryPoint',
    types: ['Execution:EC2/MaliciousFile!RecoveryPoint'],
    actorOnly: [],
    why: 'malware in a backup recovery point: it is marked infected (its sharing is the vault\'s: a manual step)',
  },
];

/**
 * Documented types of a family the table acts on (some type of the same
 * `Purpose:Resource/` acts) that it deliberately only reports, each with the
 * reason. A test holds every documented type of such a family to the table or
 * to this list, so a type AWS adds to documented-types.ts gets a decision.
 */
export const REPORTED_ONLY: Readonly<Record<string, string>> = {
  'Recon:EC2/PortProbeUnprotectedPort': 'someone probes the instance from outside: it is the target, not compromised',
  'Recon:EC2/PortProbeEMRUnprotectedPort': 'someone probes an EMR port of the instance: it is the target, not compromised',
  'Execution:EC2/SuspiciousFile': 'suspicious, not known malicious: a person decides',
  'Recon:IAMUser/TorIPCaller': 'API calls through Tor: reconnaissance that does not show the key itself is stolen',
};
