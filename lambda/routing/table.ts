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

/**
 * The Runtime Monitoring types that show the workload itself is compromised,
 * acted on alike for an instance, an ECS task and an EKS node or pod (the
 * same agent, the same behaviour, only the resource differs). Decided per
 * family of GuardDuty's "Runtime Monitoring finding types" page:
 *  - Execution, Backdoor, CryptoCurrency, Trojan, DefenseEvasion,
 *    PrivilegeEscalation, Impact (crypto miner executed, requests to mining,
 *    malicious or abused domains), Persistence (a command that installs
 *    persistence): code an attacker controls runs there. Whole families, so a
 *    type GuardDuty adds later is acted on too; the low-severity types of a
 *    family (Impact:Runtime/SuspiciousDomainRequest.Reputation) stop at the
 *    playbook's severity floor, with the plan shown.
 *  - UnauthorizedAccess: the three documented types by name (Tor client or
 *    relay, metadata DNS rebinding), as for EC2: a type added later to this
 *    family is reported until someone decides.
 *  - Discovery: reported only (REPORTED_ONLY gives the reason).
 * A test holds every documented Runtime type to this list or REPORTED_ONLY.
 */
export const RUNTIME_COMPROMISE_TYPES = [
  'Execution:Runtime/*',
  'Backdoor:Runtime/*',
  'CryptoCurrency:Runtime/*',
  'Trojan:Runtime/*',
  'DefenseEvasion:Runtime/*',
  'PrivilegeEscalation:Runtime/*',
  'Impact:Runtime/*',
  'Persistence:Runtime/*',
  'UnauthorizedAccess:Runtime/TorClient',
  'UnauthorizedAccess:Runtime/TorRelay',
  'UnauthorizedAccess:Runtime/MetadataDNSRebind',
] as const;

/** The resource types GuardDuty puts on Runtime Monitoring findings that a playbook answers, with that playbook. */
export const RUNTIME_RESOURCE_PLAYBOOKS = {
  Instance: 'contain-instance',
  ECSCluster: 'contain-task',
  EKSCluster: 'contain-eks',
} as const satisfies Record<string, ActingPlaybookName>;

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
      ...RUNTIME_COMPROMISE_TYPES,
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
    id: 'bucket-exposed',
    playbook: 'block-public-access',
    resourceType: 'S3Bucket',
    types: ['Policy:S3/BucketBlockPublicAccessDisabled', 'Policy:S3/BucketAnonymousAccessGranted', 'Policy:S3/BucketPublicAccessGranted'],
    actorOnly: [],
    why: 'a bucket is open to the public: its own Block Public Access goes back on',
  },
  {
    id: 'malware-in-object',
    playbook: 'quarantine-object',
    resourceType: 'S3Object',
    types: ['Object:S3/MaliciousFile'],
    actorOnly: [],
    why: 'an object holds malware: that version is made unreadable to all but the security team, and kept',
  },
  {
    id: 'function-compromised',
    playbook: 'contain-function',
    resourceType: 'Lambda',
    // Every Lambda Protection family: each type says the function's own code talks to something malicious.
    types: ['Backdoor:Lambda/*', 'CryptoCurrency:Lambda/*', 'Trojan:Lambda/*', 'UnauthorizedAccess:Lambda/*'],
    actorOnly: [],
    why: 'the function itself talks to malicious hosts: it must stop running (reserved concurrency 0) and its role sessions must stop working',
  },
  {
    // S3 data findings name the principal that made the calls (resource.accessKeyDetails): it is revoked; the bucket is recorded, never changed.
    id: 's3-data-by-principal',
    playbook: 'revoke-credentials',
    resourceType: 'S3Bucket',
    types: [
      'Exfiltration:S3/*',
      'Impact:S3/*',
      'Discovery:S3/AnomalousBehavior',
      'Discovery:S3/MaliciousIPCaller*',
      'PenTest:S3/*',
      'UnauthorizedAccess:S3/*',
    ],
    actorOnly: [],
    why: "a principal's S3 data calls show its credentials are misused: they must stop working",
  },
  {
    id: 'ecs-task-compromised',
    playbook: 'contain-task',
    resourceType: 'ECSCluster',
    // The Runtime families contain-instance acts on for an instance (attack sequences on a cluster go to answer-sequence, which answers each task with this playbook).
    types: [...RUNTIME_COMPROMISE_TYPES],
    actorOnly: [],
    why: 'a task shows signs of compromise: it is stopped (Fargate) or its instance contained (EC2), and its task definition marked suspect',
  },
  {
    id: 'eks-compromised',
    playbook: 'contain-eks',
    resourceType: 'EKSCluster',
    // Runtime: the families acted on for an instance. Kubernetes audit log: every family but Policy (a setting of the cluster, not an actor).
    types: [
      ...RUNTIME_COMPROMISE_TYPES,
      'CredentialAccess:Kubernetes/*',
      'DefenseEvasion:Kubernetes/*',
      'Discovery:Kubernetes/*',
      'Execution:Kubernetes/*',
      'Impact:Kubernetes/*',
      'Persistence:Kubernetes/*',
      'PrivilegeEscalation:Kubernetes/*',
    ],
    actorOnly: [],
    why: 'a node, pod or Kubernetes user shows signs of compromise: the node is contained (on approval), the IAM principal behind the user revoked, kubectl steps given',
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
  // Attack sequences: one rule per resource type GuardDuty names on the sequence finding itself (a rule matches one
  // resource type). answer-sequence answers each resource the sequence names with the playbook this table picks for it.
  {
    id: 'attack-sequence-credentials',
    playbook: 'answer-sequence',
    resourceType: 'AccessKey',
    types: ['AttackSequence:IAM/*'],
    actorOnly: [],
    why: 'an attack sequence: each resource it names is answered by its own playbook, in one incident',
  },
  {
    id: 'attack-sequence-data',
    playbook: 'answer-sequence',
    resourceType: 'S3Bucket',
    types: ['AttackSequence:S3/*'],
    actorOnly: [],
    why: 'an attack sequence: each resource it names is answered by its own playbook, in one incident',
  },
  {
    id: 'attack-sequence-instances',
    playbook: 'answer-sequence',
    resourceType: 'Instance',
    types: ['AttackSequence:EC2/*'],
    actorOnly: [],
    why: 'an attack sequence: each resource it names is answered by its own playbook, in one incident',
  },
  {
    id: 'attack-sequence-ecs',
    playbook: 'answer-sequence',
    resourceType: 'ECSCluster',
    types: ['AttackSequence:ECS/*'],
    actorOnly: [],
    why: 'an attack sequence: each resource it names is answered by its own playbook, in one incident',
  },
  {
    id: 'attack-sequence-eks',
    playbook: 'answer-sequence',
    resourceType: 'EKSCluster',
    types: ['AttackSequence:EKS/*'],
    actorOnly: [],
    why: 'an attack sequence: each resource it names is answered by its own playbook, in one incident',
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
  'Policy:S3/AccountBlockPublicAccessDisabled': "the account's own setting: turning it on affects every bucket of the account, a person decides",
  'Recon:IAMUser/TorIPCaller': 'API calls through Tor: reconnaissance that does not show the key itself is stolen',
  'Discovery:S3/TorIPCaller': 'S3 listing calls through Tor: reconnaissance that does not show the key itself is stolen (as Recon:IAMUser/TorIPCaller)',
  'Discovery:Runtime/SuspiciousCommand':
    'a command that looks around the host or container (users, network, processes): admins and tooling run the same, and it changes nothing; a person decides whether to contain',
};

/**
 * Resource types GuardDuty names that no playbook acts on, with the reason
 * the notification gives (every finding on them goes to notify).
 */
export const REPORTED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  Container:
    'a standalone container (not an ECS task or an EKS pod): no playbook stops a lone container, and isolating its whole host for it is a person\'s decision; it is reported, not acted on',
};
