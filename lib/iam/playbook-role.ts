import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { requiredIamActions } from '../../lambda/playbooks/registry';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { pascalCase } from '../naming';
import { scopeOfAction, type ScopeKind, type ScopeReferences } from './action-resources';
import { LOG_WRITING_ACTIONS } from './support-actions';

export interface PlaybookRoleProps {
  readonly playbook: PlaybookName;
  readonly roleName: string;
  readonly logGroup: logs.ILogGroup;
  readonly topicArn: string;
  readonly topicKeyArn: string;
}

/** What action-resources.ts needs to know about the stack; lib/nag-suppressions.ts builds the same. */
export function scopeReferences(scope: Construct, topicArn: string, topicKeyArn: string): ScopeReferences {
  const stack = Stack.of(scope);
  return { partition: stack.partition, account: stack.account, topicArn, topicKeyArn };
}

/** One statement per scope kind, so each statement reads as "these actions, on these resources, for this reason". */
function stepStatements(playbook: PlaybookName, refs: ScopeReferences): iam.PolicyStatement[] {
  const byKind = new Map<ScopeKind, { actions: string[]; resources: readonly string[] }>();
  for (const action of requiredIamActions(playbook)) {
    const scope = scopeOfAction(action, refs);
    const group = byKind.get(scope.kind) ?? { actions: [], resources: scope.resources };
    group.actions.push(action);
    byKind.set(scope.kind, group);
  }
  return [...byKind.entries()].map(
    ([kind, group]) => new iam.PolicyStatement({ sid: pascalCase(kind), actions: group.actions, resources: [...group.resources] }),
  );
}

/**
 * The role of one playbook: exactly the actions its steps declare
 * (requiredIamActions), scoped by action-resources.ts, plus writing its own
 * logs. No managed policy: AWSLambdaBasicExecutionRole would allow every
 * log group of the account.
 */
export function createPlaybookRole(scope: Construct, id: string, props: PlaybookRoleProps): iam.Role {
  const refs = scopeReferences(scope, props.topicArn, props.topicKeyArn);
  return new iam.Role(scope, id, {
    roleName: props.roleName,
    description: `GuardDuty incident response: ${props.playbook} playbook`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      PlaybookSteps: new iam.PolicyDocument({ statements: stepStatements(props.playbook, refs) }),
      WriteOwnLogs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ actions: [...LOG_WRITING_ACTIONS], resources: [props.logGroup.logGroupArn] })],
      }),
    },
  });
}
