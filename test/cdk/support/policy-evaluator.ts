/*
 * A small IAM policy evaluator for the CDK tests: enough of IAM's rules to
 * find escalation paths in the synthesised roles and to decide single
 * requests, and nothing the stack does not use. Unknown condition
 * operators throw, so a policy this evaluator cannot read fails the test
 * instead of passing it.
 *
 * Its list of IAM writes is the test's own, kept apart from
 * lib/iam/deny-statements.ts: an action missing from the stack's Deny
 * lists is then caught here.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** IAM actions that change a principal's permissions, trust, or credentials (Service Authorization Reference, IAM). */
export const IAM_WRITE_ACTIONS: readonly string[] = [
  'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy',
  'iam:PutUserPolicy', 'iam:DeleteUserPolicy', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy',
  'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy', 'iam:AttachGroupPolicy', 'iam:DetachGroupPolicy',
  'iam:CreatePolicy', 'iam:DeletePolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion',
  'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:DeleteRole',
  'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary', 'iam:DeleteUserPermissionsBoundary',
  'iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser',
  'iam:AddUserToGroup', 'iam:RemoveUserFromGroup',
  'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey',
  'iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'iam:DeleteLoginProfile',
  'iam:PassRole',
];

export function asList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** IAM's wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively, ARNs exactly. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether some string matches both patterns (both may hold wildcards). */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?')) result = go(i + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * Whether `pattern` matches every string `target` matches: the target read
 * literally, so a `*` in it is only covered by a `*` of the pattern.
 */
export function globCovers(pattern: string, target: string): boolean {
  return globMatches(pattern, target);
}

/** The IAM writes an Allow's action patterns reach. */
export function expandIamWrites(patterns: readonly string[]): string[] {
  return IAM_WRITE_ACTIONS.filter((action) => patterns.some((pattern) => globMatches(pattern, action, true)));
}

// ---------------------------------------------------------------- conditions

export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

const STRING_TESTS: Readonly<Record<string, (actual: string, expected: string) => boolean>> = {
  StringEquals: (a, e) => a === e,
  StringNotEquals: (a, e) => a !== e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringLike: (a, e) => globMatches(e, a),
  StringNotLike: (a, e) => !globMatches(e, a),
};

function conditionHolds(operatorWithQualifiers: string, key: string, expected: readonly string[], context: RequestContext): boolean {
  const present = key in context;
  const values = asList(context[key]);
  if (operatorWithQualifiers === 'Null') return expected.every((e) => (e === 'true' ? !present : present));
  const [qualifier, rest] = operatorWithQualifiers.includes(':') ? (operatorWithQualifiers.split(':') as [string, string]) : [undefined, operatorWithQualifiers];
  const ifExists = rest.endsWith('IfExists');
  const operator = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const test = STRING_TESTS[operator];
  if (!test) throw new Error(`policy-evaluator: unsupported condition operator ${operatorWithQualifiers}`);
  const negated = operator.includes('Not');
  const matchesOne = (value: string) => (negated ? expected.every((e) => test(value, e)) : expected.some((e) => test(value, e)));
  if (qualifier === 'ForAllValues') return values.every(matchesOne);
  if (qualifier === 'ForAnyValue') return values.some(matchesOne);
  if (qualifier !== undefined) throw new Error(`policy-evaluator: unsupported qualifier ${qualifier}`);
  if (!present) return ifExists || negated;
  return matchesOne(values[0]!);
}

export function conditionsHold(statement: PolicyStatement, context: RequestContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, asList(expected), context)),
  );
}

// ---------------------------------------------------------------- requests

function actionApplies(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction) return !asList(statement.NotAction).some((p) => globMatches(p, action, true));
  return asList(statement.Action).some((p) => globMatches(p, action, true));
}

function resourceApplies(statement: PolicyStatement, resource: string): boolean {
  if (statement.NotResource) return !asList(statement.NotResource).some((p) => globMatches(p, resource));
  return asList(statement.Resource).some((p) => globMatches(p, resource));
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** IAM's decision for one request against one role's statements (identity policies only: no SCP, boundary or session policy). */
export function decide(statements: readonly PolicyStatement[], action: string, resource: string, context: RequestContext = {}): Decision {
  const applying = statements.filter((s) => actionApplies(s, action) && resourceApplies(s, resource) && conditionsHold(s, context));
  if (applying.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return applying.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

// ---------------------------------------------------------------- escalation audit

export interface AuditFinding {
  readonly rule: 'iam-wildcard' | 'pass-role' | 'not-action-or-not-resource' | 'escalation' | 'unconditioned-ec2-write';
  readonly statement: string;
  readonly detail: string;
}

export interface AuditOptions {
  /** ARNs (wildcards allowed) of principals no role may change: the responder's roles and the protected principals. */
  readonly protectedPrincipals: readonly string[];
  /**
   * The one iam:PassRole accepted: an Allow of exactly that action, on exactly this role (as flattened), conditioned on
   * exactly iam:PassedToService = this service. Any other PassRole (another role, a wildcard, a wider or missing
   * condition, more actions in the statement) is a finding.
   */
  readonly passableRole?: { readonly resource: string; readonly service: string };
  /**
   * EC2 writes accepted without a condition, by action and resource pattern
   * (`ec2:CreateSecurityGroup` on `arn:*:ec2:*:*:vpc/*`), each with the
   * reason: no condition key of the Service Authorization Reference would
   * confine it. Resource "*" is accepted only if the entry says "*".
   */
  readonly unconditionedEc2Writes?: readonly { readonly action: string; readonly resource: string; readonly reason: string }[];
}

const EC2_READ = /^ec2:(Describe|Get|List|Search)/i;

function isEc2Write(action: string): boolean {
  return action.toLowerCase().startsWith('ec2:') && !EC2_READ.test(action);
}

/** A Deny with no condition, for this action, on a resource pattern covering the target. */
function deniedOutright(statements: readonly PolicyStatement[], action: string, target: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      s.Condition === undefined &&
      actionApplies(s, action) &&
      !s.NotResource &&
      asList(s.Resource).some((pattern) => globCovers(pattern, target)),
  );
}

function isAcceptedPassRole(statement: PolicyStatement, accepted: AuditOptions['passableRole']): boolean {
  if (!accepted) return false;
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  const condition = statement.Condition ?? {};
  const stringEquals = condition.StringEquals ?? {};
  return (
    actions.length === 1 &&
    actions[0] === 'iam:PassRole' &&
    resources.length === 1 &&
    resources[0] === accepted.resource &&
    Object.keys(condition).length === 1 &&
    Object.keys(stringEquals).length === 1 &&
    JSON.stringify(asList(stringEquals['iam:PassedToService'])) === JSON.stringify([accepted.service])
  );
}

/**
 * Every way the statements of ONE role (its Deny statements protect only
 * itself) could be turned into more power: an Allow that is not a plain
 * action list on plain resources, any IAM wildcard action, iam:PassRole,
 * an IAM write reaching a protected principal without a Deny that covers it,
 * an EC2 write without a condition (on "*" or any other resource) that the
 * options do not accept with a reason.
 */
export function auditRole(statements: readonly PolicyStatement[], options: AuditOptions): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const allows = statements.filter((s) => s.Effect === 'Allow');
  allows.forEach((statement, index) => {
    const name = statement.Sid ?? `Allow#${index}`;
    if (statement.NotAction || statement.NotResource) {
      findings.push({ rule: 'not-action-or-not-resource', statement: name, detail: 'an Allow with NotAction or NotResource reaches more than it names' });
      return;
    }
    const actions = asList(statement.Action);
    const resources = asList(statement.Resource);
    for (const action of actions.filter((a) => a === '*' || (a.toLowerCase().startsWith('iam:') && /[*?]/.test(a)))) {
      findings.push({ rule: 'iam-wildcard', statement: name, detail: action });
    }
    if (actions.some((a) => globMatches(a, 'iam:PassRole', true)) && !isAcceptedPassRole(statement, options.passableRole)) {
      findings.push({ rule: 'pass-role', statement: name, detail: resources.join(', ') });
    }
    for (const action of expandIamWrites(actions).filter((a) => a !== 'iam:PassRole')) {
      for (const target of options.protectedPrincipals) {
        if (!resources.some((resource) => globsIntersect(resource, target))) continue;
        if (!deniedOutright(statements, action, target)) {
          findings.push({ rule: 'escalation', statement: name, detail: `${action} reaches ${target} and no Deny covers it` });
        }
      }
    }
    if (statement.Condition === undefined) {
      for (const action of actions.filter(isEc2Write)) {
        for (const resource of resources) {
          const accepted = (options.unconditionedEc2Writes ?? []).some((e) => globMatches(e.action, action, true) && globCovers(e.resource, resource));
          if (!accepted) findings.push({ rule: 'unconditioned-ec2-write', statement: name, detail: `${action} on ${resource}` });
        }
      }
    }
  });
  return findings;
}

// ---------------------------------------------------------------- template values

/** A template value as a string: pseudo parameters substituted, other references as `<Ref:Id>` / `<Id.Attr>` (never an IAM ARN). */
export function flatten(value: unknown, pseudo: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') return pseudo[object.Ref] ?? `<Ref:${object.Ref}>`;
    if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => flatten(part, pseudo)).join(separator);
    }
  }
  throw new Error(`policy-evaluator: cannot flatten ${JSON.stringify(value)}`);
}

/** A synthesised statement with every Resource flattened. */
export function flattenStatement(statement: Record<string, unknown>, pseudo: Readonly<Record<string, string>>): PolicyStatement {
  const resources = (key: 'Resource' | 'NotResource') => {
    const value = statement[key];
    if (value === undefined) return {};
    return { [key]: (Array.isArray(value) ? value : [value]).map((r) => flatten(r, pseudo)) };
  };
  return { ...(statement as unknown as PolicyStatement), ...resources('Resource'), ...resources('NotResource') };
}
