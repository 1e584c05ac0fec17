import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamAction, IamCondition, IamGrant, StepSpec } from '../../lambda/plan/types';
import { pascalCase } from '../naming';
import { ec2ResourceArn, s3ObjectScope, scopeOfAction, scopeOfBrakeAction, type ScopeKind, type ScopeReferences } from './action-resources';

/** One Allow statement to be: these actions, on these resources, when this condition holds, for the reason of this kind. */
export interface ScopedGrant {
  readonly kind: ScopeKind;
  readonly actions: IamAction[];
  readonly resources: readonly string[];
  readonly condition?: IamCondition;
}

/**
 * The grants of a set of step declarations: an action a step confines
 * (StepSpec.iamGrants) through its grants, any other action of the step on
 * its usual scope. Several steps may confine one action differently: each
 * grant is allowed (IAM ORs Allow statements), so each step can do its part.
 */
export function grantsOf(specs: readonly StepSpec[]): IamGrant[] {
  const grants = specs.flatMap((spec) =>
    spec.iamActions.flatMap((action) => {
      const own = (spec.iamGrants ?? []).filter((grant) => grant.action === action);
      return own.length > 0 ? own : [{ action }];
    }),
  );
  for (const spec of specs) {
    const undeclared = (spec.iamGrants ?? []).filter((grant) => !spec.iamActions.includes(grant.action));
    if (undeclared.length > 0) throw new Error(`step kind ${spec.kind} grants ${undeclared.map((g) => g.action).join(', ')} without declaring it`);
  }
  const unique = new Map(grants.map((grant) => [JSON.stringify([grant.action, grant.ec2ResourceTypes, grant.condition, grant.brakeTable, grant.s3Objects]), grant]));
  return [...unique.values()];
}

/**
 * Grants grouped into statements: one per scope kind, resources and
 * condition, so each statement reads as "these actions, on these resources,
 * when this holds, for this reason". Used by the playbook roles, the member
 * role and lib/nag-suppressions.ts alike.
 */
export function scopedGrants(grants: readonly IamGrant[], refs: ScopeReferences): ScopedGrant[] {
  const byKey = new Map<string, { kind: ScopeKind; actions: IamAction[]; resources: readonly string[]; condition?: IamCondition }>();
  for (const grant of [...grants].sort((a, b) => a.action.localeCompare(b.action))) {
    const scope = grant.ec2ResourceTypes
      ? { kind: 'ec2-resource-types' as const, resources: grant.ec2ResourceTypes.map((type) => ec2ResourceArn(type, refs)) }
      : grant.brakeTable
        ? scopeOfBrakeAction(grant.action, refs)
        : grant.s3Objects
          ? s3ObjectScope(refs)
          : scopeOfAction(grant.action, refs);
    const scopeCondition = 'condition' in scope ? scope.condition : undefined;
    // The scope's condition (ECS: ecs:cluster) joins the grant's own: IAM ANDs every key of a Condition.
    const condition = joinConditions(scopeCondition, grant.condition);
    const key = JSON.stringify([scope.kind, scope.resources, condition ?? null]);
    const group = byKey.get(key) ?? { kind: scope.kind, actions: [], resources: scope.resources, ...(condition ? { condition } : {}) };
    if (!group.actions.includes(grant.action)) group.actions.push(grant.action);
    byKey.set(key, group);
  }
  return [...byKey.values()];
}

function joinConditions(a: IamCondition | undefined, b: IamCondition | undefined): IamCondition | undefined {
  if (!a || !b) return a ?? b;
  const joined: Record<string, Record<string, string | readonly string[]>> = {};
  for (const part of [a, b]) {
    for (const [operator, keys] of Object.entries(part)) {
      for (const key of Object.keys(keys)) {
        if (joined[operator]?.[key] !== undefined) throw new Error(`two conditions on ${operator} ${key}: they cannot be joined`);
      }
      joined[operator] = { ...joined[operator], ...keys };
    }
  }
  return joined;
}

export function scopedStatements(specs: readonly StepSpec[], refs: ScopeReferences): iam.PolicyStatement[] {
  const kindCount = new Map<ScopeKind, number>();
  return scopedGrants(grantsOf(specs), refs).map((grant) => {
    const n = (kindCount.get(grant.kind) ?? 0) + 1;
    kindCount.set(grant.kind, n);
    return new iam.PolicyStatement({
      sid: `${pascalCase(grant.kind)}${n > 1 ? n : ''}`,
      actions: grant.actions,
      resources: [...grant.resources],
      ...(grant.condition ? { conditions: grant.condition as Record<string, unknown> } : {}),
    });
  });
}
