import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RoutingOverrides } from '../lambda/routing/overrides';
import { effectiveRoutingTable } from '../lambda/routing/overrides';
import { assertPatternSizes, compileEventPatterns, type CompiledPattern } from '../lambda/routing/event-patterns';
import type { PlaybookName } from '../lambda/routing/playbook-names';

export interface RoutingRulesProps {
  readonly overrides: RoutingOverrides;
  readonly functions: Readonly<Record<PlaybookName, lambda.IFunction>>;
}

/**
 * The EventBridge rules, compiled from THE routing table (with the team's
 * overrides): one rule per pattern, on the default bus where GuardDuty
 * publishes. No pattern is written here by hand.
 */
export interface RoutingRule {
  readonly compiled: CompiledPattern;
  readonly rule: events.Rule;
}

export class RoutingRules extends Construct {
  readonly patterns: readonly CompiledPattern[];
  /** Every rule with the pattern it was compiled from (the monitoring alarms on each rule's failed invocations). */
  readonly rules: readonly RoutingRule[];

  constructor(scope: Construct, id: string, props: RoutingRulesProps) {
    super(scope, id);
    this.patterns = compileEventPatterns(effectiveRoutingTable(props.overrides));
    // EventBridge would refuse the rule at deployment; say which one, and why, at synth.
    assertPatternSizes(this.patterns);
    this.rules = this.patterns.map((compiled) => {
      const { source, 'detail-type': detailType, detail } = compiled.pattern;
      const rule = new events.Rule(this, compiled.id, {
        description: `${compiled.playbook}: ${compiled.description}`.slice(0, 512),
        eventPattern: { source, detailType, detail },
        targets: [new targets.LambdaFunction(props.functions[compiled.playbook])],
      });
      return { compiled, rule };
    });
  }
}
