import type { Template } from 'aws-cdk-lib/assertions';
import { compileEventPatterns } from '../../lambda/routing/event-patterns';
import { effectiveRoutingTable, type RoutingOverrides } from '../../lambda/routing/overrides';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { eventMatchesPattern } from '../support/event-pattern-matcher';
import { loadFixtures } from '../support/fixtures';
import { synthesize, type Synthesized } from './support/synth';
import { functionIdOf, getAtt, logicalIdAtPath, props, resourcesOfType, type Json } from './support/template-queries';

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
  for (const [logicalId, rule] of Object.entries(resourcesOfType(template, 'AWS::Events::Rule'))) {
    // The heartbeat's schedule rules (lib/monitoring/heartbeat.ts) match no event: they are not routing.
    if (props(rule).ScheduleExpression !== undefined) continue;
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

describe('the deployed rules', () => {
  it('send every fixture finding to exactly one function: the playbook its folder names', () => {
    const rules = [...deployedRules(defaults.template).values()];
    for (const fixture of loadFixtures()) {
      const json = fixture.json as Record<string, Json>;
      if (!('detail' in json)) continue; // only EventBridge events go through rules
      const matched = rules.filter((rule) => eventMatchesPattern(json, rule.pattern)).map((rule) => rule.playbook);
      expect({ fixture: fixture.name, matched }).toEqual({ fixture: fixture.name, matched: [fixture.expectedPlaybook] });
    }
  });

  it('follow the overrides: an added type is contained, a removed one only reported', () => {
    const event = (type: string) => ({
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: { type, resource: { resourceType: 'Instance' }, service: { resourceRole: 'TARGET' } },
    });
    const route = (synth: Synthesized, type: string) =>
      [...deployedRules(synth.template).values()].filter((rule) => eventMatchesPattern(event(type), rule.pattern)).map((rule) => rule.playbook);

    expect(route(defaults, 'Recon:EC2/PortProbeUnprotectedPort')).toEqual(['notify']);
    expect(route(overridden, 'Recon:EC2/PortProbeUnprotectedPort')).toEqual(['contain-instance']);
    expect(route(defaults, 'Backdoor:EC2/DenialOfService.Tcp')).toEqual(['contain-instance']);
    expect(route(overridden, 'Backdoor:EC2/DenialOfService.Tcp')).toEqual(['notify']);
    // Still covered by its prefix.
    expect(route(overridden, 'Backdoor:EC2/Spambot')).toEqual(['contain-instance']);
  });

  it('change only in the routing when the overrides change', () => {
    const idsOf = (synth: Synthesized) => [...deployedRules(synth.template).keys()].sort();
    expect(idsOf(overridden)).toEqual(expect.arrayContaining(idsOf(defaults)));
    const added = idsOf(overridden).filter((id) => !idsOf(defaults).includes(id));
    expect(added).toEqual([logicalIdAtPath(overridden.template, `${overridden.stack.stackName}/Routing/instance-compromised-excluded/Resource`)]);
  });
});
