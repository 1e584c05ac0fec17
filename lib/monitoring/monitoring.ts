import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EffectiveRule } from '../../lambda/routing/overrides';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { pascalCase } from '../naming';
import type { PlaybookFunction } from '../playbook-function';
import type { RoutingRule } from '../routing-rules';
import { ResponderDashboard } from './dashboard';
import { FunctionAlarms } from './function-alarms';
import { Heartbeat } from './heartbeat';
import { RuleAlarms } from './rule-alarms';

export interface MonitoringProps {
  readonly playbooks: Readonly<Record<PlaybookName, PlaybookFunction>>;
  readonly rules: readonly RoutingRule[];
  readonly routingTable: readonly EffectiveRule[];
  readonly topic: sns.ITopic;
}

/**
 * The responder watches itself: alarms to the incident topic on playbook
 * errors and throttles, on EventBridge failing to deliver a finding, and on
 * a missing daily heartbeat; and a dashboard. The on-failure queue alarms
 * belong to each playbook (lib/playbook-function.ts).
 */
export class Monitoring extends Construct {
  readonly functionAlarms: Readonly<Record<PlaybookName, FunctionAlarms>>;
  readonly heartbeats: Readonly<Record<PlaybookName, Heartbeat>>;
  readonly ruleAlarms: RuleAlarms;
  readonly dashboard: ResponderDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { playbooks, topic } = props;
    const perPlaybook = <T>(build: (name: PlaybookName, playbook: PlaybookFunction) => T) =>
      Object.fromEntries(PLAYBOOK_NAMES.map((name) => [name, build(name, playbooks[name])])) as Record<PlaybookName, T>;

    this.functionAlarms = perPlaybook(
      (name, playbook) => new FunctionAlarms(this, `${pascalCase(name)}Alarms`, { playbook: name, function: playbook.function, topic }),
    );
    this.heartbeats = perPlaybook(
      (name, playbook) =>
        new Heartbeat(this, `${pascalCase(name)}Heartbeat`, { playbook: name, function: playbook.function, routingTable: props.routingTable, topic }),
    );
    this.ruleAlarms = new RuleAlarms(this, 'RuleAlarms', { rules: props.rules, topic });

    const alarms: cloudwatch.IAlarm[] = [
      ...PLAYBOOK_NAMES.flatMap((name) => [
        this.functionAlarms[name].errors,
        this.functionAlarms[name].throttles,
        this.heartbeats[name].missingAlarm,
        playbooks[name].failureAlarm,
      ]),
      ...this.ruleAlarms.alarms,
    ];
    this.dashboard = new ResponderDashboard(this, 'Dashboard', { playbooks, rules: props.rules, alarms });
  }
}
