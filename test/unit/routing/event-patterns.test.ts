import fc from 'fast-check';
import {
  assertPatternSizes,
  compileEventPatterns,
  EVENT_PATTERN_MAX_CHARS,
  GUARDDUTY_DETAIL_TYPE,
  GUARDDUTY_EVENT_SOURCE,
  patternSize,
  type CompiledPattern,
} from '../../../lambda/routing/event-patterns';
import { DOCUMENTED_FINDING_TYPES } from '../../../lambda/routing/documented-types';
import { effectiveRoutingTable, type RoutingOverrides } from '../../../lambda/routing/overrides';
import { routeKey, type RoutingKey } from '../../../lambda/routing/route';
import { BRUTE_FORCE_TYPES, ROUTING_TABLE } from '../../../lambda/routing/table';
import { eventRulerMatches, prepareEventRuler } from '../../support/event-ruler';

/*
 * The compiled patterns, exactly as the stack deploys them
 * (lib/routing-rules.ts: compileEventPatterns(effectiveRoutingTable(overrides))),
 * evaluated by Event Ruler, EventBridge's own matching engine, over every
 * combination of finding type, resource type and resource role: each event
 * must match exactly one rule, of the playbook routeKey picks.
 */

const OVERRIDE_SETS: Record<string, RoutingOverrides | undefined> = {
  default: undefined,
  'add and remove': {
    add: { 'Recon:EC2/PortProbeUnprotectedPort': 'contain-instance', 'Impact:EC2/PortSweep': 'notify', 'Stealth:IAMUser/CloudTrailLoggingDisabled': 'revoke-credentials' },
    remove: ['UnauthorizedAccess:EC2/SSHBruteForce', 'Backdoor:EC2/Variant', 'Backdoor:EC2/DenialOfService.Tcp'],
  },
  'moves between playbooks': {
    add: {
      'UnauthorizedAccess:EC2/TorClient': 'revoke-credentials',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller': 'contain-instance',
      'Impact:EC2/WinRMBruteForce': 'notify',
    },
    remove: ['Exfiltration:IAMUser/AnomalousBehavior', 'CryptoCurrency:Runtime/BitcoinTool.B'],
  },
};

const prefixes = ROUTING_TABLE.flatMap((rule) => rule.types.filter((type) => type.endsWith('*')).map((type) => type.slice(0, -1)));
const overrideTypes = Object.values(OVERRIDE_SETS).flatMap((o) => (o ? [...Object.keys(o.add), ...o.remove] : []));
const oddTypes = ['', '*', 'Backdoor:EC2', 'Backdoor:EC2/*', 'backdoor:ec2/spambot', 'Backdoor:EC2/Spambot ', ' Backdoor:EC2/Spambot', 'Impact:EC2/WinRMBruteForce.Variant', 'Impact:EC2/WinRMBruteForc', 'Recon:EC2/PortscanX', 'Backdoor:EC2/Ünïcode', 'Backdoor:EC2/\\*'];
const randomTypes = fc.sample(
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.tuple(fc.constantFrom(...prefixes, 'Impact:EC2/', 'Recon:EC2/', 'UnauthorizedAccess:EC2/', 'Novel:EC2/'), fc.string({ maxLength: 12 })).map(([p, s]) => p + s),
  ),
  { numRuns: 150, seed: 10 },
);
const TYPES = [...new Set([...DOCUMENTED_FINDING_TYPES, ...prefixes.flatMap((p) => [p, `${p}FutureVariant`]), ...overrideTypes, ...oddTypes, ...randomTypes])];
// null: a field present without a value, which the parser lets through for resource.resourceType and service.resourceRole.
const RESOURCE_TYPES = ['Instance', 'AccessKey', 'S3Bucket', 'S3Object', 'Lambda', 'EKSCluster', 'ECSCluster', 'RDSDBInstance', 'RDSLimitlessDB', 'EBSSnapshot', 'EC2Image', 'RecoveryPoint', 'Container', 'instance', null, undefined];
const ROLES = ['ACTOR', 'TARGET', 'OTHER', '', null, undefined];
const KEYS = TYPES.flatMap((type) => RESOURCE_TYPES.flatMap((resourceType) => ROLES.map((resourceRole) => ({ type, resourceType, resourceRole }) as RoutingKey)));

/** The GuardDuty event EventBridge sees for a routing key. */
function eventFor(key: RoutingKey): Record<string, unknown> {
  const detail: Record<string, unknown> = { type: key.type, resource: key.resourceType === undefined ? {} : { resourceType: key.resourceType } };
  if (key.resourceRole !== undefined) detail.service = { resourceRole: key.resourceRole };
  return { source: GUARDDUTY_EVENT_SOURCE, 'detail-type': GUARDDUTY_DETAIL_TYPE, detail };
}

/*
 * The contain-instance pattern as it was compiled before: `type` listed at the
 * top AND inside `$or`. Event Ruler lets the branch's `type` replace the outer
 * one, so it matches port probes and every other Instance type but brute force.
 * The checks below must catch it, or they prove nothing.
 */
function legacyPatterns(): CompiledPattern[] {
  const current = compileEventPatterns(effectiveRoutingTable());
  const contain = ROUTING_TABLE.find((rule) => rule.id === 'instance-compromised')!;
  const legacy: CompiledPattern = {
    id: 'instance-compromised',
    playbook: 'contain-instance',
    description: 'the pattern compiled before Event Ruler checked it',
    pattern: {
      source: [GUARDDUTY_EVENT_SOURCE],
      'detail-type': [GUARDDUTY_DETAIL_TYPE],
      detail: {
        resource: { resourceType: ['Instance'] },
        type: contain.types.map((t) => (t.endsWith('*') ? { prefix: t.slice(0, -1) } : t)),
        $or: [{ type: [{ 'anything-but': [...BRUTE_FORCE_TYPES] }] }, { service: { resourceRole: ['ACTOR'] } }],
      },
    },
  };
  return [legacy, ...current.filter((p) => !p.id.startsWith('instance-compromised') || p.id.endsWith('-unlisted') || p.id.endsWith('-not-actor') || p.id.endsWith('-no-role'))];
}

const SETS: Record<string, { patterns: CompiledPattern[]; overrides: RoutingOverrides | undefined }> = {
  ...Object.fromEntries(Object.entries(OVERRIDE_SETS).map(([name, overrides]) => [name, { patterns: compileEventPatterns(effectiveRoutingTable(overrides)), overrides }])),
  legacy: { patterns: legacyPatterns(), overrides: undefined },
};

/** Per event, the rule names Event Ruler matched, as `set|rule id`. */
let matched: string[][];

beforeAll(() => {
  prepareEventRuler();
  const rules = Object.entries(SETS).flatMap(([set, { patterns }]) => patterns.map((p) => ({ name: `${set}|${p.id}`, pattern: p.pattern })));
  matched = eventRulerMatches(rules, KEYS.map(eventFor));
}, 300_000);

/** Every event of the set that does not match exactly one rule, of the playbook routeKey picks. */
function disagreements(set: string): string[] {
  const { patterns, overrides } = SETS[set]!;
  const table = effectiveRoutingTable(overrides);
  const playbookOf = new Map(patterns.map((p) => [`${set}|${p.id}`, p.playbook]));
  return KEYS.flatMap((key, i) => {
    const rules = matched[i]!.filter((name) => playbookOf.has(name));
    const expected = routeKey(key, table).playbook;
    if (rules.length === 1 && playbookOf.get(rules[0]!) === expected) return [];
    return [`${JSON.stringify(key)}: routeKey says ${expected}, Event Ruler matched [${rules.join(', ')}]`];
  });
}

describe('compiled patterns under Event Ruler', () => {
  it(`cover ${KEYS.length} combinations of type, resource type and role per configuration`, () => {
    expect(KEYS.length).toBeGreaterThan(5000);
  });

  it.each(Object.keys(OVERRIDE_SETS))('send every finding to exactly one rule, of the playbook routeKey picks (%s)', (set) => {
    expect(disagreements(set).slice(0, 20)).toEqual([]);
  });

  it('catch the former contain-instance pattern: its $or lets port probes reach contain-instance', () => {
    const wrong = disagreements('legacy');
    expect(wrong).toContainEqual(expect.stringContaining('"type":"Recon:EC2/PortProbeUnprotectedPort","resourceType":"Instance","resourceRole":"TARGET"'));
    const probe = KEYS.findIndex((k) => k.type === 'Recon:EC2/PortProbeUnprotectedPort' && k.resourceType === 'Instance' && k.resourceRole === 'TARGET');
    expect(matched[probe]!.filter((name) => name.startsWith('legacy|'))).toEqual(['legacy|instance-compromised', 'legacy|instance-compromised-unlisted']);
  });

  it('send every attack sequence to answer-sequence, on the resource type GuardDuty names it with, and report it on another', () => {
    const rulesFor = (type: string, resourceType: string) =>
      matched[KEYS.findIndex((k) => k.type === type && k.resourceType === resourceType && k.resourceRole === 'TARGET')]!.filter((n) => n.startsWith('default|'));
    expect(rulesFor('AttackSequence:IAM/CompromisedCredentials', 'AccessKey')).toEqual(['default|attack-sequence-credentials']);
    expect(rulesFor('AttackSequence:S3/CompromisedData', 'S3Bucket')).toEqual(['default|attack-sequence-data']);
    expect(rulesFor('AttackSequence:EC2/CompromisedInstanceGroup', 'Instance')).toEqual(['default|attack-sequence-instances']);
    expect(rulesFor('AttackSequence:ECS/CompromisedCluster', 'ECSCluster')).toEqual(['default|attack-sequence-ecs']);
    expect(rulesFor('AttackSequence:EKS/CompromisedCluster', 'EKSCluster')).toEqual(['default|attack-sequence-eks']);
    // Credential misuse on the same resource type still goes to revoke-credentials: the two AccessKey rules are disjoint.
    expect(rulesFor('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'AccessKey')).toEqual(['default|credential-misuse']);
    expect(rulesFor('AttackSequence:IAM/CompromisedCredentials', 'Instance')).toEqual(['default|instance-compromised-unlisted']);
  });

  it('contain the attacker of a brute force, and only report its target', () => {
    const rulesFor = (type: string, resourceRole: string | undefined) =>
      matched[KEYS.findIndex((k) => k.type === type && k.resourceType === 'Instance' && k.resourceRole === resourceRole)]!.filter((n) => n.startsWith('default|'));
    expect(rulesFor('Impact:EC2/WinRMBruteForce', 'ACTOR')).toEqual(['default|instance-compromised-actor']);
    expect(rulesFor('Impact:EC2/WinRMBruteForce', 'TARGET')).toEqual(['default|instance-compromised-not-actor']);
    expect(rulesFor('Impact:EC2/WinRMBruteForce', undefined)).toEqual(['default|instance-compromised-no-role']);
    expect(rulesFor('Impact:EC2/PortSweep', 'TARGET')).toEqual(['default|instance-compromised']);
  });

  it('send RDS logins of a DB instance or a Limitless database to contain-database, and RDS discovery to notify', () => {
    const rulesFor = (type: string, resourceType: string) =>
      matched[KEYS.findIndex((k) => k.type === type && k.resourceType === resourceType && k.resourceRole === 'TARGET')]!.filter((n) => n.startsWith('default|'));
    expect(rulesFor('CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', 'RDSDBInstance')).toEqual(['default|database-login']);
    expect(rulesFor('CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce', 'RDSLimitlessDB')).toEqual(['default|limitless-database-login']);
    expect(rulesFor('CredentialAccess:RDS/TorIPCaller.FailedLogin', 'RDSDBInstance')).toEqual(['default|database-login']);
    // Another resource type with the same finding type is not a database GuardDuty named: reported only.
    expect(rulesFor('CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', 'Instance').some((n) => n.includes('database-login'))).toBe(false);
    expect(routeKey({ type: 'Discovery:RDS/MaliciousIPCaller', resourceType: 'RDSDBInstance', resourceRole: 'TARGET' }, effectiveRoutingTable()).playbook).toBe('notify');
  });

  it('send malware in a snapshot, an AMI or a recovery point to quarantine-image, and a running instance’s malware still to contain-instance', () => {
    const rulesFor = (type: string, resourceType: string) =>
      matched[KEYS.findIndex((k) => k.type === type && k.resourceType === resourceType && k.resourceRole === 'TARGET')]!.filter((n) => n.startsWith('default|'));
    expect(rulesFor('Execution:EC2/MaliciousFile!Snapshot', 'EBSSnapshot')).toEqual(['default|infected-snapshot']);
    expect(rulesFor('Execution:EC2/MaliciousFile!AMI', 'EC2Image')).toEqual(['default|infected-image']);
    expect(rulesFor('Execution:EC2/MaliciousFile!RecoveryPoint', 'RecoveryPoint')).toEqual(['default|infected-recovery-point']);
    expect(rulesFor('Execution:EC2/MaliciousFile', 'Instance')).toEqual(['default|instance-compromised']);
    expect(rulesFor('Execution:EC2/MaliciousFile!Snapshot', 'Instance').some((n) => n.includes('infected'))).toBe(false);
  });
});

describe('S3 data findings under Event Ruler', () => {
  const rulesFor = (type: string, resourceType: string) =>
    matched[KEYS.findIndex((k) => k.type === type && k.resourceType === resourceType && k.resourceRole === 'TARGET')]!.filter((n) => n.startsWith('default|'));

  it.each(['Exfiltration:S3/AnomalousBehavior', 'Impact:S3/AnomalousBehavior.Delete', 'PenTest:S3/ParrotLinux', 'UnauthorizedAccess:S3/TorIPCaller', 'Discovery:S3/MaliciousIPCaller.Custom'])(
    'send %s about a bucket to revoke-credentials (the acting principal), and the same type on another resource to notify',
    (type) => {
      expect(rulesFor(type, 'S3Bucket')).toEqual(['default|s3-data-by-principal']);
      expect(rulesFor(type, 'Container')).toEqual(['default|other-resource']);
    },
  );

  // Policy:S3 and Object:S3 are the S3 exposure and malware playbooks' (not this rule's), so they are not asserted here.
  it.each(['Discovery:S3/TorIPCaller', 'Stealth:S3/ServerAccessLoggingDisabled'])(
    'report %s about a bucket (reported only)',
    (type) => {
      expect(rulesFor(type, 'S3Bucket')).toEqual(['default|bucket-exposed-unlisted']);
    },
  );
});

describe('Runtime Monitoring findings under Event Ruler', () => {
  const rulesFor = (type: string, resourceType: string) =>
    matched[KEYS.findIndex((k) => k.type === type && k.resourceType === resourceType && k.resourceRole === 'TARGET')]!.filter((n) => n.startsWith('default|'));

  it.each(['Impact:Runtime/CryptoMinerExecuted', 'Impact:Runtime/BitcoinDomainRequest.Reputation', 'UnauthorizedAccess:Runtime/TorRelay', 'UnauthorizedAccess:Runtime/MetadataDNSRebind', 'Persistence:Runtime/SuspiciousCommand'])(
    'send %s to the playbook of the instance, the ECS task or the EKS node, and on a standalone container to notify',
    (type) => {
      expect(rulesFor(type, 'Instance')).toEqual(['default|instance-compromised']);
      expect(rulesFor(type, 'ECSCluster')).toEqual(['default|ecs-task-compromised']);
      expect(rulesFor(type, 'EKSCluster')).toEqual(['default|eks-compromised']);
      expect(rulesFor(type, 'Container')).toEqual(['default|other-resource']);
    },
  );

  it('report Discovery:Runtime/SuspiciousCommand on every resource type', () => {
    for (const resourceType of ['Instance', 'ECSCluster', 'EKSCluster', 'Container']) {
      expect(rulesFor('Discovery:Runtime/SuspiciousCommand', resourceType).every((name) => name.endsWith('-unlisted') || name === 'default|other-resource')).toBe(true);
      expect(rulesFor('Discovery:Runtime/SuspiciousCommand', resourceType)).toHaveLength(1);
    }
  });
});

describe('compileEventPatterns', () => {
  it('uses no $or: Event Ruler would let a branch override the fields beside it', () => {
    for (const { patterns } of Object.values(SETS).slice(0, Object.keys(OVERRIDE_SETS).length)) {
      for (const compiled of patterns) expect(JSON.stringify(compiled.pattern)).not.toContain('$or');
    }
  });

  it('matches GuardDuty events only', () => {
    for (const compiled of compileEventPatterns(effectiveRoutingTable())) {
      expect(compiled.pattern.source).toEqual(['aws.guardduty']);
      expect(compiled.pattern['detail-type']).toEqual(['GuardDuty Finding']);
    }
  });

  it('lists a family with an attacker-only type by name, and the brute-force types in a rule of their own', () => {
    const contain = compileEventPatterns(effectiveRoutingTable()).filter((p) => p.id.startsWith('instance-compromised') && p.playbook === 'contain-instance');
    expect(contain.map((p) => p.id)).toEqual(['instance-compromised', 'instance-compromised-actor']);
    expect(contain[0]!.pattern.detail.type).toContain('Impact:EC2/PortSweep');
    expect(contain[0]!.pattern.detail.type).not.toContainEqual({ prefix: 'Impact:EC2/' });
    expect(contain[0]!.pattern.detail.type).not.toContain('Impact:EC2/WinRMBruteForce');
    expect(contain[1]!.pattern.detail).toEqual({
      resource: { resourceType: ['Instance'] },
      type: [...BRUTE_FORCE_TYPES],
      service: { resourceRole: ['ACTOR'] },
    });
  });

  it('lists a family by name when the configuration removes a type of it', () => {
    const [contain] = compileEventPatterns(effectiveRoutingTable({ add: {}, remove: ['Backdoor:EC2/DenialOfService.Tcp'] }));
    expect(contain!.pattern.detail.type).not.toContainEqual({ prefix: 'Backdoor:EC2/' });
    expect(contain!.pattern.detail.type).toContain('Backdoor:EC2/Spambot');
    expect(contain!.pattern.detail.type).not.toContain('Backdoor:EC2/DenialOfService.Tcp');
  });

  it('refuses a table whose patterns could not be disjoint', () => {
    const [contain, revoke] = effectiveRoutingTable();
    expect(() => compileEventPatterns([contain!, { ...revoke!, resourceType: 'Instance', types: ['Backdoor:EC2/Spambot'] }])).toThrow(
      'routing: rules instance-compromised and credential-misuse both act on Backdoor:EC2/* for resource type Instance; one finding, one playbook',
    );
    expect(() => compileEventPatterns([contain!, { ...revoke!, resourceType: 'Instance', types: ['Backdoor:*'] }])).toThrow('both act on Backdoor:EC2/*');
    // Two rules on one resource type with no finding type in common compile (S3 bucket exposure and a principal's use of its data).
    expect(() => compileEventPatterns([contain!, { ...revoke!, resourceType: 'Instance' }])).not.toThrow();
    expect(() => compileEventPatterns([{ ...contain!, types: [...contain!.types, 'Impact:EC2/*'] }])).toThrow(
      'rule instance-compromised lists the prefix Impact:EC2/* although Impact:EC2/WinRMBruteForce under it is not acted on for every finding',
    );
  });
});

describe('assertPatternSizes', () => {
  it(`keeps the default patterns within EventBridge's ${EVENT_PATTERN_MAX_CHARS} characters`, () => {
    expect(() => assertPatternSizes(compileEventPatterns(effectiveRoutingTable()))).not.toThrow();
  });

  it('names every rule over the quota with its size', () => {
    const add = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`Recon:EC2/TeamSpecificType${i}`, 'contain-instance' as const]));
    const patterns = compileEventPatterns(effectiveRoutingTable({ add, remove: [] }));
    const sizes = Object.fromEntries(patterns.map((p) => [p.id, patternSize(p)]));
    expect(sizes['instance-compromised']).toBeGreaterThan(EVENT_PATTERN_MAX_CHARS);
    expect(() => assertPatternSizes(patterns)).toThrow(
      `routing: event pattern over EventBridge's size quota of 2048 characters: instance-compromised (${sizes['instance-compromised']} characters), ` +
        `instance-compromised-unlisted (${sizes['instance-compromised-unlisted']} characters)`,
    );
  });

  it('counts the compact JSON EventBridge receives', () => {
    const [pattern] = compileEventPatterns(effectiveRoutingTable());
    expect(patternSize(pattern!)).toBe(JSON.stringify(pattern!.pattern).length);
    expect(() => assertPatternSizes([pattern!], patternSize(pattern!))).not.toThrow();
    expect(() => assertPatternSizes([pattern!], patternSize(pattern!) - 1)).toThrow(`instance-compromised (${patternSize(pattern!)} characters)`);
  });
});
