import type { Template } from 'aws-cdk-lib/assertions';
import { parseFindings } from '../../lambda/finding/parse';
import { compileEventPatterns, GUARDDUTY_DETAIL_TYPE, GUARDDUTY_EVENT_SOURCE } from '../../lambda/routing/event-patterns';
import { effectiveRoutingTable, type RoutingOverrides } from '../../lambda/routing/overrides';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { eventRulerMatches, prepareEventRuler } from '../support/event-ruler';
import { loadFixtures } from '../support/fixtures';
import { synthesize, type Synthesized } from './support/synth';
import { functionIdOf, getAtt, logicalIdAtPath, owedNoteWriterIds, props, resourcesOfType, type Json } from './support/template-queries';

const OVERRIDES: RoutingOverrides = {
  add: { 'Recon:EC2/PortProbeUnprotectedPort': 'contain-instance' },
  remove: ['Backdoor:EC2/DenialOfService.Tcp'],
};

let defaults: Synthesized;
let overridden: Synthesized;

beforeAll(() => {
  // Assets are not bundled here: only the rules are under test.
  defaults = synthesize();
  overridden = synthesize({ context: { incidentResponse: { routing: OVERRIDES } } });
});

interface DeployedRule {
  readonly pattern: Record<string, Json>;
  readonly playbook: PlaybookName;
}

/** The rules as deployed: pattern and the playbook whose function is the (only) target. */
function deployedRules(template: Template): Map<string, DeployedRule> {
  const playbookByFunctionArn = new Map(PLAYBOOK_NAMES.map((name) => [JSON.stringify(getAtt(functionIdOf(template, name))), name]));
  const rules = new Map<string, DeployedRule>();
  const { ruleId: owedNoteRule } = owedNoteWriterIds(template);
  for (const [logicalId, rule] of Object.entries(resourcesOfType(template, 'AWS::Events::Rule'))) {
    // The heartbeat's schedule rules (lib/monitoring/heartbeat.ts) match no event: they are not routing. Nor is the
    // owed Security Hub note writer's rule, on Security Hub's events (test/cdk/owed-note-delivery.test.ts).
    if (props(rule).ScheduleExpression !== undefined) continue;
    if (logicalId === owedNoteRule) continue;
    const targets = props(rule).Targets as { Arn: Json }[];
    expect(targets).toHaveLength(1);
    const playbook = playbookByFunctionArn.get(JSON.stringify(targets[0]!.Arn));
    if (!playbook) throw new Error(`rule ${logicalId} targets no playbook function`);
    rules.set(logicalId, { pattern: props(rule).EventPattern as Record<string, Json>, playbook });
  }
  return rules;
}

describe.each([
  ['the default routing', () => defaults, undefined],
  ['routing overrides', () => overridden, OVERRIDES],
] as const)('with %s', (_name, synthOf, overrides) => {
  it('has one rule per compiled pattern, equal to it and targeting that pattern’s playbook', () => {
    const { template, stack } = synthOf();
    const compiled = compileEventPatterns(effectiveRoutingTable(overrides));
    const rules = deployedRules(template);
    expect(rules.size).toBe(compiled.length);
    for (const pattern of compiled) {
      const logicalId = logicalIdAtPath(template, `${stack.stackName}/Routing/${pattern.id}/Resource`);
      // JSON round trip: the compiled pattern is what EventBridge receives.
      expect(rules.get(logicalId)).toEqual({ pattern: JSON.parse(JSON.stringify(pattern.pattern)), playbook: pattern.playbook });
    }
  });

  it('puts the rules on the default bus, enabled, each allowed to invoke its function', () => {
    const { template } = synthOf();
    const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).map(props);
    for (const [logicalId, rule] of deployedRules(template)) {
      expect(props(resourcesOfType(template, 'AWS::Events::Rule')[logicalId]!).EventBusName).toBeUndefined();
      expect(props(resourcesOfType(template, 'AWS::Events::Rule')[logicalId]!).State).toBe('ENABLED');
      expect(permissions).toContainEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(functionIdOf(template, rule.playbook)),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(logicalId),
      });
    }
  });
});

/*
 * The deployed rules, read from the templates, evaluated by Event Ruler
 * (EventBridge's matching engine): every event of the file goes to one JVM.
 */
const eventOf = (detail: unknown) => ({ source: GUARDDUTY_EVENT_SOURCE, 'detail-type': GUARDDUTY_DETAIL_TYPE, detail });
const instanceEvent = (type: string) => eventOf({ type, resource: { resourceType: 'Instance' }, service: { resourceRole: 'TARGET' } });
const OVERRIDE_PROBES = ['Recon:EC2/PortProbeUnprotectedPort', 'Backdoor:EC2/DenialOfService.Tcp', 'Backdoor:EC2/Spambot'];
/** Findings on an ECS cluster (contain-task) and on resource types that share its Runtime types, with the playbook each must reach. */
const RESOURCE_PROBES: readonly (readonly [string, string, PlaybookName])[] = [
  ['ECSCluster', 'Execution:Runtime/ReverseShell', 'contain-task'],
  ['ECSCluster', 'Backdoor:Runtime/VariantFromTheFuture', 'contain-task'],
  ['ECSCluster', 'AttackSequence:ECS/CompromisedCluster', 'answer-sequence'],
  ['ECSCluster', 'Impact:Runtime/CryptoMinerExecuted', 'contain-task'],
  ['ECSCluster', 'Persistence:Runtime/SuspiciousCommand', 'contain-task'],
  ['ECSCluster', 'Discovery:Runtime/SuspiciousCommand', 'notify'],
  ['ECSCluster', 'Recon:EC2/Portscan', 'notify'],
  ['Instance', 'Execution:Runtime/ReverseShell', 'contain-instance'],
  ['Instance', 'AttackSequence:ECS/CompromisedCluster', 'notify'],
  ['EKSCluster', 'CryptoCurrency:Runtime/BitcoinTool.B', 'contain-eks'],
  ['EKSCluster', 'Execution:Kubernetes/ExecInKubeSystemPod', 'contain-eks'],
  ['EKSCluster', 'CredentialAccess:Kubernetes/SomethingNew', 'contain-eks'],
  ['EKSCluster', 'Policy:Kubernetes/ExposedDashboard', 'notify'],
  ['EKSCluster', 'Impact:Runtime/CryptoMinerExecuted', 'contain-eks'],
  ['EKSCluster', 'UnauthorizedAccess:Runtime/TorClient', 'contain-eks'],
  ['Instance', 'Impact:Runtime/CryptoMinerExecuted', 'contain-instance'],
  ['Instance', 'UnauthorizedAccess:Runtime/MetadataDNSRebind', 'contain-instance'],
  ['Container', 'Execution:Runtime/ReverseShell', 'notify'],
  ['Container', 'Impact:Runtime/CryptoMinerExecuted', 'notify'],
];
const resourceEvent = ([resourceType, type]: readonly [string, string, PlaybookName]) => eventOf({ type, resource: { resourceType }, service: { resourceRole: 'TARGET' } });

interface FixtureCase {
  readonly name: string;
  readonly expected: PlaybookName;
  readonly event: unknown;
}

let fixtureCases: FixtureCase[];
/** Playbooks of the rules each event matched, per synthesized stack. */
let routed: { defaults: PlaybookName[][]; overridden: PlaybookName[][] };

beforeAll(() => {
  prepareEventRuler();
  // Every fixture as the event GuardDuty puts on the bus: the (camelCase) finding as detail.
  fixtureCases = loadFixtures().flatMap((fixture) =>
    parseFindings(fixture.json).map((finding, i) => ({ name: `${fixture.name}#${i}`, expected: fixture.expectedPlaybook, event: eventOf(finding) })),
  );
  const events = [...fixtureCases.map((c) => c.event), ...OVERRIDE_PROBES.map(instanceEvent), ...RESOURCE_PROBES.map(resourceEvent)];
  const stacks = { defaults: deployedRules(defaults.template), overridden: deployedRules(overridden.template) };
  const named = Object.entries(stacks).flatMap(([stack, rules]) => [...rules].map(([logicalId, rule]) => ({ name: `${stack}|${logicalId}`, pattern: rule.pattern })));
  const matches = eventRulerMatches(named, events);
  const playbooks = (stack: keyof typeof stacks) =>
    matches.map((names) => names.filter((n) => n.startsWith(`${stack}|`)).map((n) => stacks[stack].get(n.slice(stack.length + 1))!.playbook));
  routed = { defaults: playbooks('defaults'), overridden: playbooks('overridden') };
}, 300_000);

describe('the deployed rules, under Event Ruler', () => {
  it('send every fixture finding to exactly one function: the playbook its folder names', () => {
    expect(fixtureCases.length).toBeGreaterThan(30);
    const wrong = fixtureCases.flatMap((c, i) => (routed.defaults[i]!.length === 1 && routed.defaults[i]![0] === c.expected ? [] : [`${c.name}: [${routed.defaults[i]!.join(', ')}]`]));
    expect(wrong).toEqual([]);
  });

  it('follow the overrides: an added type is contained, a removed one only reported', () => {
    const route = (stack: 'defaults' | 'overridden', type: string) => routed[stack][fixtureCases.length + OVERRIDE_PROBES.indexOf(type)];
    expect(route('defaults', 'Recon:EC2/PortProbeUnprotectedPort')).toEqual(['notify']);
    expect(route('overridden', 'Recon:EC2/PortProbeUnprotectedPort')).toEqual(['contain-instance']);
    expect(route('defaults', 'Backdoor:EC2/DenialOfService.Tcp')).toEqual(['contain-instance']);
    expect(route('overridden', 'Backdoor:EC2/DenialOfService.Tcp')).toEqual(['notify']);
    // Its family is now listed by name: the rest of it is still contained.
    expect(route('overridden', 'Backdoor:EC2/Spambot')).toEqual(['contain-instance']);
  });

  it('send Runtime findings on an ECS cluster to contain-task (its attack sequences to answer-sequence), Runtime and Kubernetes findings on an EKS cluster to contain-eks, and only those', () => {
    const first = fixtureCases.length + OVERRIDE_PROBES.length;
    const actual = RESOURCE_PROBES.map(([resourceType, type], i) => [resourceType, type, routed.defaults[first + i]]);
    expect(actual).toEqual(RESOURCE_PROBES.map(([resourceType, type, playbook]) => [resourceType, type, [playbook]]));
  });

  it('change only in the patterns when the overrides change: the same rules, none added or removed', () => {
    const idsOf = (synth: Synthesized) => [...deployedRules(synth.template).keys()].sort();
    expect(idsOf(overridden)).toEqual(idsOf(defaults));
  });
});

describe('a pattern over EventBridge\'s size quota', () => {
  it('fails synth, naming the rule and its size', () => {
    // Holes in the instance rule's prefix families: each family then stands for its documented types minus the hole, and both of
    // the rule's patterns pass 2,048 characters while the runtime configuration stays small (lib/config/runtime-config-size.ts).
    const remove = [
      'Backdoor:EC2/Spambot',
      'CryptoCurrency:EC2/BitcoinTool.B',
      'Trojan:EC2/DNSDataExfiltration',
      'Execution:Runtime/ReverseShell',
      'Backdoor:Runtime/C&CActivity.B',
      'CryptoCurrency:Runtime/BitcoinTool.B',
      'Trojan:Runtime/BlackholeTraffic',
      'DefenseEvasion:Runtime/FilelessExecution',
      'PrivilegeEscalation:Runtime/DockerSocketAccessed',
    ];
    expect(() => synthesize({ context: { incidentResponse: { routing: { add: {}, remove } } } })).toThrow(
      /event pattern over EventBridge's size quota of 2048 characters: instance-compromised \(\d{4} characters\), instance-compromised-unlisted \(\d{4} characters\)/,
    );
  });
});
