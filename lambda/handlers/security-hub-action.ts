import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from '../zod';
import { sdkClientConfig } from '../aws/clients';
import { handleSecurityHubAction, type SecurityHubActionDependencies } from '../approval/security-hub-action';
import { parseRuntimeConfig } from '../config/schema';
import { effectiveRoutingTable } from '../routing/overrides';
import { PLAYBOOK_NAMES } from '../routing/playbook-names';

/* The Security Hub custom actions' function (lambda/approval/security-hub-action.ts). */

const environmentSchema = z.object({
  IR_RUNTIME_CONFIG: z._default(z.string(), '{}'),
  IR_PLAYBOOK_FUNCTIONS: z.string(),
  IR_PLAN_ACTION_ARN: z.string(),
  IR_RESPOND_ACTION_ARN: z.string(),
  AWS_REGION: z.string(),
});

let dependencies: SecurityHubActionDependencies | undefined;

function dependenciesOnce(): SecurityHubActionDependencies {
  if (dependencies) return dependencies;
  const env = environmentSchema.parse(process.env);
  const config = parseRuntimeConfig(JSON.parse(env.IR_RUNTIME_CONFIG), 'IR_RUNTIME_CONFIG');
  const functions = z.partialRecord(z.enum(PLAYBOOK_NAMES), z.string()).parse(JSON.parse(env.IR_PLAYBOOK_FUNCTIONS));
  const options = { region: env.AWS_REGION };
  dependencies = {
    guardDuty: new GuardDutyClient(sdkClientConfig(options)),
    lambda: new LambdaClient(sdkClientConfig(options)),
    region: env.AWS_REGION,
    actionArns: { plan: env.IR_PLAN_ACTION_ARN, respond: env.IR_RESPOND_ACTION_ARN },
    routingTable: effectiveRoutingTable(config.routing),
    playbookFunctions: functions,
  };
  return dependencies;
}

export async function handler(event: unknown) {
  const outcomes = await handleSecurityHubAction(dependenciesOnce(), event);
  // The log is the record of what the analyst's action sent where (the playbooks report each response as usual).
  console.log(JSON.stringify({ message: 'Security Hub custom action', outcomes }));
  return outcomes;
}
