import { App, LegacyStackSynthesizer, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, type IncidentResponseConfig } from '../lambda/config/schema';
import { loadConfig } from './config/load-config';
import { IncidentResponseStack } from './incident-response-stack';
import { IncidentResponseMemberStack } from './member/member-stack';
import { DEFAULT_STACK_NAME, memberStackName, securityStackName, STACK_NAME_CONTEXT_KEY } from './naming';

/** `-c deployMemberStack=true`: the app holds the member stack only. */
export const MEMBER_STACK_CONTEXT_KEY = 'deployMemberStack';

export interface IncidentResponseAppOptions {
  readonly appProps?: AppProps;
  /** Run the cdk-nag AwsSolutions checks at synth: any unacknowledged finding stops it. */
  readonly nag?: boolean;
  /** Where a relative incidentResponseConfigFile starts (default: the working directory, where cdk.json is). */
  readonly baseDir?: string;
}

export interface IncidentResponseApp {
  readonly app: App;
  readonly config: IncidentResponseConfig;
  /** The security stacks: one per configured region, or the single `GuardDutyIncidentResponse`. None in member mode. */
  readonly stacks: readonly IncidentResponseStack[];
  /** Only with `-c deployMemberStack=true`. */
  readonly memberStack?: IncidentResponseMemberStack;
}

function memberMode(app: App): boolean {
  const value: unknown = app.node.tryGetContext(MEMBER_STACK_CONTEXT_KEY);
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigError(`invalid configuration: context "${MEMBER_STACK_CONTEXT_KEY}" must be true or false, not ${JSON.stringify(value)}`);
}

function securityStacks(app: App, name: string, config: IncidentResponseConfig): IncidentResponseStack[] {
  const description = 'GuardDuty incident response: findings routed to Lambda playbooks that contain, revoke and report';
  // No regions: one environment-agnostic stack, deployed wherever `cdk deploy` points.
  if (config.regions.length === 0) return [new IncidentResponseStack(app, name, { config, description })];
  return config.regions.map(
    (region) => new IncidentResponseStack(app, securityStackName(name, region), { config, description, env: { region }, roleNamePrefix: name }),
  );
}

/**
 * The app `cdk` runs (bin/app.ts), also built by the CDK tests. Two
 * modes, never both at once, so `cdk deploy --all` in one account cannot
 * deploy the other account's stack: the security stacks (default), or the
 * member stack (`-c deployMemberStack=true`). No account lookups: it
 * synthesises offline without credentials.
 */
export function createIncidentResponseApp(options: IncidentResponseAppOptions = {}): IncidentResponseApp {
  const app = new App(options.appProps);
  const config = loadConfig(app.node, options.baseDir);
  const name: unknown = app.node.tryGetContext(STACK_NAME_CONTEXT_KEY) ?? DEFAULT_STACK_NAME;
  if (typeof name !== 'string') throw new Error(`context "${STACK_NAME_CONTEXT_KEY}" must be a string`);
  const result: IncidentResponseApp = memberMode(app)
    ? {
        app,
        config,
        stacks: [],
        memberStack: new IncidentResponseMemberStack(app, memberStackName(name), {
          config,
          securityStackName: name,
          description: 'GuardDuty incident response: the role the security account playbooks assume in this member account',
          // One role, no assets: `cdk deploy` runs it with your own credentials in an account never bootstrapped
          // (no deploy role, no BootstrapVersion rule), and the template works as is as a StackSet.
          synthesizer: new LegacyStackSynthesizer(),
        }),
      }
    : { app, config, stacks: securityStacks(app, name, config) };
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return result;
}
