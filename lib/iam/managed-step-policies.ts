import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/*
 * A role's step statements as customer managed policies, for a role whose
 * statements do not fit IAM's limit on a role's inline policies (10,240
 * characters in all): answer-sequence's, the union of every playbook it
 * answers a resource with. A customer managed policy holds 6,144 characters
 * and a role takes 10 of them (IAM's default quota): the statements are cut
 * into as few policies as fit, in their order, each a child of the role so
 * the role's cdk-nag acknowledgements (lib/nag-suppressions.ts) cover them.
 * The statements are the same ones an inline policy would hold: built from
 * the step declarations by scopedStatements.
 */

/** IAM's limit on a customer managed policy, in characters (whitespace not counted). */
export const MANAGED_POLICY_MAX_CHARS = 6_144;
/** IAM's default quota of managed policies attached to one role. */
export const MANAGED_POLICIES_PER_ROLE = 10;

/**
 * What a policy may be estimated at, at synth time: the tokens (partition,
 * account, region, resource names) are counted at ESTIMATED_TOKEN_CHARS each,
 * which no partition, account or region reaches; the margin covers the
 * document's own braces and version. test/cdk/guardrails.test.ts measures the
 * synthesised policies with every commercial region against the real limit.
 */
const BUDGET_CHARS = MANAGED_POLICY_MAX_CHARS - 600;
const ESTIMATED_TOKEN_CHARS = 64;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The resolved statement with every intrinsic as the string it becomes, a token counted at ESTIMATED_TOKEN_CHARS. */
function flattened(value: Json): Json {
  if (Array.isArray(value)) return value.map(flattened);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => String(flattened(part))).join(separator);
  }
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return 'x'.repeat(ESTIMATED_TOKEN_CHARS);
  return Object.fromEntries(keys.map((key) => [key, flattened(value[key]!)]));
}

export function estimatedChars(scope: Construct, statement: iam.PolicyStatement): number {
  return JSON.stringify(flattened(Stack.of(scope).resolve(statement.toStatementJson()) as Json)).replace(/\s/g, '').length + 1;
}

/** The statements cut, in order, into groups each within the budget. A statement alone over it fails synth. */
export function packedStatements(scope: Construct, statements: readonly iam.PolicyStatement[]): iam.PolicyStatement[][] {
  const groups: iam.PolicyStatement[][] = [];
  let current: iam.PolicyStatement[] = [];
  let size = 0;
  for (const statement of statements) {
    const chars = estimatedChars(scope, statement);
    if (chars > BUDGET_CHARS) throw new Error(`a statement of ${scope.node.path} (${statement.actions.join(', ')}) is ${chars} characters: over what one managed policy holds`);
    if (size + chars > BUDGET_CHARS && current.length > 0) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(statement);
    size += chars;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Attaches the statements to the role as customer managed policies
 * (`Steps1`, `Steps2`, ...), counting the managed policies the role already
 * has against IAM's quota.
 */
export function attachStepPolicies(role: iam.Role, statements: readonly iam.PolicyStatement[], description: string, alreadyAttached: number): iam.ManagedPolicy[] {
  const groups = packedStatements(role, statements);
  if (groups.length + alreadyAttached > MANAGED_POLICIES_PER_ROLE) {
    throw new Error(`${role.node.path} would need ${groups.length + alreadyAttached} managed policies: over IAM's default quota of ${MANAGED_POLICIES_PER_ROLE} per role`);
  }
  return groups.map((group, index) => {
    const policy = new iam.ManagedPolicy(role, `Steps${index + 1}`, { description: `${description} (part ${index + 1} of ${groups.length})`, statements: group });
    role.addManagedPolicy(policy);
    return policy;
  });
}
