import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config/load-config';
import { IncidentResponseStack } from './incident-response-stack';
import { DEFAULT_STACK_NAME } from './naming';

export const STACK_NAME_CONTEXT_KEY = 'incidentResponseStackName';

export interface IncidentResponseAppOptions {
  readonly appProps?: AppProps;
  /** Run the cdk-nag AwsSolutions checks at synth: any unacknowledged finding stops it. */
  readonly nag?: boolean;
  /** Where a relative incidentResponseConfigFile starts (default: the working directory, where cdk.json is). */
  readonly baseDir?: string;
}

/**
 * The app `cdk` runs (bin/app.ts), also built by the CDK tests. The stack is
 * environment-agnostic: no account or region lookups, so it synthesises
 * offline without credentials.
 */
export function createIncidentResponseApp(options: IncidentResponseAppOptions = {}): { app: App; stack: IncidentResponseStack } {
  const app = new App(options.appProps);
  const config = loadConfig(app.node, options.baseDir);
  const stackName: unknown = app.node.tryGetContext(STACK_NAME_CONTEXT_KEY) ?? DEFAULT_STACK_NAME;
  if (typeof stackName !== 'string') throw new Error(`context "${STACK_NAME_CONTEXT_KEY}" must be a string`);
  const stack = new IncidentResponseStack(app, stackName, {
    config,
    description: 'GuardDuty incident response: findings routed to Lambda playbooks that contain, revoke and report',
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
