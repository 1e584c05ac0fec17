import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuntimeConfig, type RuntimeConfig } from '../../../lambda/config/schema';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../../lambda/routing/playbook-names';

/*
 * The EventBridge rules exactly as `cdk synth` wrote them into the
 * CloudFormation template, each with the playbook its target runs (read from
 * the target Lambda's IR_PLAYBOOK variable), so the routing test checks what
 * would be deployed, not what the code means to deploy.
 */

export const STACK_TEMPLATE = join(__dirname, '..', '..', '..', 'cdk.out', 'GuardDutyIncidentResponse.template.json');

export interface SynthesizedRule {
  readonly logicalId: string;
  readonly eventPattern: Record<string, unknown>;
  readonly playbooks: readonly PlaybookName[];
}

export interface SynthesizedRouting {
  readonly rules: readonly SynthesizedRule[];
  /** The runtime configuration the stack hands its Lambdas (routing overrides included). */
  readonly config: RuntimeConfig;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

type Resources = Record<string, CfnResource>;

function isPlaybookName(value: unknown): value is PlaybookName {
  return typeof value === 'string' && (PLAYBOOK_NAMES as readonly string[]).includes(value);
}

function environmentOf(resource: CfnResource): Record<string, unknown> {
  const environment = resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** The logical id a rule target's Arn points at: {"Fn::GetAtt": [id, "Arn"]} or {"Ref": id}. */
function targetLogicalId(arn: unknown): string | undefined {
  if (typeof arn !== 'object' || arn === null) return undefined;
  const getAtt = (arn as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (arn as Record<string, unknown>).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function playbookOfTarget(resources: Resources, ruleId: string, target: unknown): PlaybookName {
  const logicalId = targetLogicalId((target as { Arn?: unknown } | null)?.Arn);
  const fn = logicalId === undefined ? undefined : resources[logicalId];
  if (!fn || fn.Type !== 'AWS::Lambda::Function') {
    throw new Error(`rule ${ruleId}: its target ${JSON.stringify(target)} is not a Lambda function of the template`);
  }
  const playbook = environmentOf(fn).IR_PLAYBOOK;
  if (!isPlaybookName(playbook)) throw new Error(`rule ${ruleId}: function ${logicalId} has no valid IR_PLAYBOOK (${JSON.stringify(playbook)})`);
  return playbook;
}

function runtimeConfigOfStack(resources: Resources): RuntimeConfig {
  const configs = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && isPlaybookName(environmentOf(r).IR_PLAYBOOK))
    .map((r) => environmentOf(r).IR_RUNTIME_CONFIG);
  const distinct = [...new Set(configs.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))))];
  if (distinct.length !== 1) throw new Error(`the playbook functions do not share one IR_RUNTIME_CONFIG: ${distinct.join(' | ')}`);
  return parseRuntimeConfig(JSON.parse(distinct[0]!), `${STACK_TEMPLATE} (IR_RUNTIME_CONFIG)`);
}

function isSecurityHubRule(rule: CfnResource): boolean {
  const pattern = rule.Properties?.EventPattern;
  const parsed = (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as { source?: unknown } | undefined;
  return JSON.stringify(parsed?.source) === JSON.stringify(['aws.securityhub']);
}

export function readSynthesizedRouting(templatePath: string = STACK_TEMPLATE): SynthesizedRouting {
  if (!existsSync(templatePath)) {
    throw new Error(`${templatePath} is missing: run "npx cdk synth" first (make test does it before the integration tests)`);
  }
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources?: Resources };
  const resources = template.Resources ?? {};
  const rules = Object.entries(resources)
    // Schedule rules (the daily heartbeat, lib/monitoring/heartbeat.ts) match no event: they are not routing.
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.ScheduleExpression === undefined)
    // Nor is the owed Security Hub note writer's rule, on Security Hub's Imported events (lib/owed-note-delivery.ts).
    .filter(([, r]) => !isSecurityHubRule(r))
    .map(([logicalId, r]): SynthesizedRule => {
      const props = r.Properties ?? {};
      if (props.EventBusName !== undefined) throw new Error(`rule ${logicalId} is on bus ${JSON.stringify(props.EventBusName)}, not the default bus GuardDuty publishes to`);
      if (props.State !== undefined && props.State !== 'ENABLED') throw new Error(`rule ${logicalId} is ${String(props.State)}`);
      const eventPattern = typeof props.EventPattern === 'string' ? (JSON.parse(props.EventPattern) as Record<string, unknown>) : (props.EventPattern as Record<string, unknown>);
      const targets = Array.isArray(props.Targets) ? props.Targets : [];
      return { logicalId, eventPattern, playbooks: targets.map((t) => playbookOfTarget(resources, logicalId, t)) };
    });
  return { rules, config: runtimeConfigOfStack(resources) };
}
