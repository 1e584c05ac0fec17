import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamAction } from '../../lambda/plan/types';
import { pascalCase } from '../naming';
import { scopeOfAction, type ScopeKind, type ScopeReferences } from './action-resources';

/**
 * One statement per scope kind, so each statement reads as "these actions,
 * on these resources, for this reason". Used by the playbook roles and the
 * member role alike.
 */
export function scopedStatements(actions: readonly IamAction[], refs: ScopeReferences): iam.PolicyStatement[] {
  const byKind = new Map<ScopeKind, { actions: string[]; resources: readonly string[] }>();
  for (const action of actions) {
    const scope = scopeOfAction(action, refs);
    const group = byKind.get(scope.kind) ?? { actions: [], resources: scope.resources };
    group.actions.push(action);
    byKind.set(scope.kind, group);
  }
  return [...byKind.entries()].map(
    ([kind, group]) => new iam.PolicyStatement({ sid: pascalCase(kind), actions: group.actions, resources: [...group.resources] }),
  );
}
