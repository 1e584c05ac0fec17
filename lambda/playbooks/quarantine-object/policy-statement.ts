import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';

/*
 * The tag alone changes nothing: a Deny statement of the bucket policy makes
 * a tagged version unreadable (docs/playbooks-s3.md gives it). The plan reads
 * the policy and counts it effective only when one statement really denies
 * reading that version to everyone but a few named principals:
 *   - Effect Deny, Principal "*" (a NotPrincipal exempts whoever is not named);
 *   - Action covering s3:GetObject and s3:GetObjectVersion (no NotAction);
 *   - Resource covering the object's ARN (no NotResource);
 *   - a condition on s3:ExistingObjectTag/<key> = quarantined;
 *   - every other condition an exception, by aws:PrincipalArn, for exact
 *     role ARNs the quarantine may exempt: the responder's member role in
 *     the bucket's account and the configured security team role.
 * The policy is the bucket owner's text, but it may have been written by
 * anyone who could put a bucket policy. Issue 14 asks for "unreadable to
 * everyone but the security team", so an exception wider than one named role
 * does not count: a wildcard (arn:aws:iam::*:role/Name, a role of that name in
 * any account, which anyone can create; arn:aws:iam::<own>:role/*, every role
 * of the account), a whole account or organisation (aws:PrincipalAccount,
 * aws:PrincipalOrgID, aws:PrincipalOrgPaths), the account's root, or any other
 * role of the bucket's account (its administrators are exactly who a
 * quarantine must hold off when the account is compromised). A condition that
 * narrows the Deny (aws:SourceIp, ...) does not count either.
 */

type Json = Record<string, unknown>;

export interface QuarantinedObject {
  readonly bucket: string;
  readonly key: string;
  /** The bucket's own account (the finding's). */
  readonly accountId: string;
  readonly tagKey: string;
  /**
   * The only principals the statement may exempt, as exact role ARNs: the responder's member role in the bucket's account
   * (it reads the version's tags) and the configured security team role (quarantineExemptions builds the list).
   */
  readonly exemptRoleArns: readonly string[];
}

export type PolicyVerdict = { readonly honours: true } | { readonly honours: false; readonly why: string };

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function strings(value: unknown): string[] | null {
  const list = asList(value);
  return list.every((v) => typeof v === 'string') ? (list as string[]) : null;
}

/** IAM's wildcards: * any run of characters, ? one character. */
function wildcardMatches(pattern: string, value: string, caseless: boolean): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseless ? 'is' : 's').test(value);
}

/** Reading a version needs s3:GetObject (the current one) or s3:GetObjectVersion (by its id): the statement must deny both. */
const READS = ['s3:GetObject', 's3:GetObjectVersion'];
/** Removing the tag needs one of these: a statement that guards the tag denies them all. */
const TAG_CHANGES = ['s3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'];

function coversAll(action: unknown, names: readonly string[]): boolean {
  const actions = strings(action) ?? [];
  return names.every((name) => actions.some((a) => wildcardMatches(a, name, true)));
}

/** Whether one of the statement's resources is the object's ARN (any partition): S3 object ARNs are arn:<partition>:s3:::<bucket>/<key>. */
function coversObject(resource: unknown, object: QuarantinedObject): boolean {
  const resources = strings(resource) ?? [];
  return resources.some((pattern) => {
    if (pattern === '*') return true;
    const match = /^arn:[^:]*:s3:::(.*)$/s.exec(pattern);
    return match !== null && wildcardMatches(match[1]!, `${object.bucket}/${object.key}`, false);
  });
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = strings((principal as Json).AWS);
  return aws !== null && aws.includes('*');
}

const TAG_OPERATORS = ['stringequals', 'stringequalsignorecase', 'forallvalues:stringequals', 'foranyvalue:stringequals'];
/** The operators that make an exception (the Deny applies to every principal but these). */
const PRINCIPAL_EXCEPTIONS = ['arnnotlike', 'arnnotequals', 'stringnotlike', 'stringnotequals'];
/** Keys whose exception exempts a whole account or organisation: named as such in the verdict. */
const WHOLE_GROUP_KEYS = new Map([
  ['aws:principalaccount', 'every principal of account'],
  ['aws:principalorgid', 'every principal of organisation'],
  ['aws:principalorgpaths', 'every principal under organisation path'],
]);

/**
 * The roles the quarantine may exempt, exactly: the responder's member role in the bucket's account and the configured
 * security team role. The partition is the finding's when it is one (aws, aws-cn, aws-us-gov...), else aws: a forged
 * partition must not make an odd string count as the member role.
 */
export function quarantineExemptions(args: { readonly partition: string | null | undefined; readonly accountId: string; readonly memberRoleName: string; readonly securityTeamRoleArn: string | undefined }): string[] {
  const partition = typeof args.partition === 'string' && /^aws(?:-[a-z]+)*$/.test(args.partition) ? args.partition : 'aws';
  const member = `arn:${partition}:iam::${args.accountId}:role/${args.memberRoleName}`;
  return args.securityTeamRoleArn === undefined || args.securityTeamRoleArn === member ? [member] : [member, args.securityTeamRoleArn];
}

/** Why an excepted principal ARN is not one the quarantine may exempt (exact string equality: a wildcard never matches). */
function strangerWhy(arn: string, operator: string, object: QuarantinedObject): string {
  const allowed = object.exemptRoleArns.join(' or ');
  const wildcard = operator.endsWith('like') && /[*?]/.test(arn) ? ' (a wildcard: every principal it matches is exempt)' : '';
  return `the policy exempts ${arn}${wildcard}; only the exact role ARN ${allowed} may be exempt`;
}

/** null: the condition block is the tag condition plus exceptions the rules allow; else why not. */
function conditionProblem(condition: unknown, object: QuarantinedObject): string | null {
  if (typeof condition !== 'object' || condition === null) return `it has no condition on s3:ExistingObjectTag/${object.tagKey}`;
  const tagName = `s3:ExistingObjectTag/${object.tagKey}`.toLowerCase();
  let onTag = false;
  for (const [operator, keys] of Object.entries(condition as Json)) {
    if (typeof keys !== 'object' || keys === null) return `its condition ${operator} is not a map of keys`;
    for (const [key, value] of Object.entries(keys as Json)) {
      const op = operator.toLowerCase();
      const name = key.toLowerCase();
      const values = strings(value);
      if (values === null) return `its condition ${operator} ${key} is not a list of strings`;
      if (name === tagName && TAG_OPERATORS.includes(op) && values.includes(QUARANTINE_TAG_VALUE)) {
        onTag = true;
      } else if (name === 'aws:principalarn' && PRINCIPAL_EXCEPTIONS.includes(op)) {
        const stranger = values.find((arn) => !object.exemptRoleArns.includes(arn));
        if (stranger !== undefined) return strangerWhy(stranger, op, object);
      } else if (WHOLE_GROUP_KEYS.has(name) && PRINCIPAL_EXCEPTIONS.includes(op)) {
        return `the policy exempts ${WHOLE_GROUP_KEYS.get(name)!} ${values.join(', ')} (${operator} ${key}); only the exact role ARN ${object.exemptRoleArns.join(' or ')} may be exempt`;
      } else {
        return `its condition ${operator} ${key} narrows the Deny (only aws:PrincipalArn exceptions for the exact role ARN ${object.exemptRoleArns.join(' or ')} are counted)`;
      }
    }
  }
  return onTag ? null : `it has no condition on ${`s3:ExistingObjectTag/${object.tagKey}`} = ${QUARANTINE_TAG_VALUE}`;
}

function statementProblem(statement: Json, object: QuarantinedObject, denied: readonly string[] = READS): string | null {
  if (statement.Effect !== 'Deny') return 'it is not a Deny';
  if ('NotPrincipal' in statement || !isEveryone(statement.Principal)) return 'its Principal is not "*"';
  if ('NotAction' in statement || !coversAll(statement.Action, denied)) return `its Action does not cover ${denied.join(', ')}`;
  if ('NotResource' in statement || !coversObject(statement.Resource, object)) return `its Resource does not cover arn:aws:s3:::${object.bucket}/${object.key}`;
  return conditionProblem(statement.Condition, object);
}

/** Whether the bucket policy denies reading this version once tagged `<tagKey>=quarantined`, and if not, why. */
export function policyHonoursQuarantineTag(policy: string | null, object: QuarantinedObject): PolicyVerdict {
  if (policy === null) return { honours: false, why: 'the bucket has no policy' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return { honours: false, why: 'the bucket policy is not JSON' };
  }
  const statements = asList((parsed as Json | null)?.Statement).filter((s): s is Json => typeof s === 'object' && s !== null);
  const tagName = `s3:existingobjecttag/${object.tagKey}`.toLowerCase();
  const problems: string[] = [];
  for (const statement of statements) {
    const problem = statementProblem(statement, object);
    if (problem === null) return { honours: true };
    // Only the statements about the tag explain why the tag has no effect.
    if (JSON.stringify(statement.Condition ?? {}).toLowerCase().includes(tagName)) {
      problems.push(`statement ${typeof statement.Sid === 'string' ? statement.Sid : '(no Sid)'}: ${problem}`);
    }
  }
  return { honours: false, why: problems.length > 0 ? problems.join('; ') : `no statement denies reading on s3:ExistingObjectTag/${object.tagKey} = ${QUARANTINE_TAG_VALUE}` };
}

/**
 * Whether the policy also keeps the tag on: a Deny of every tagging change on a version carrying it, to all
 * but the same exceptions. Without it (or an SCP the plan cannot see), anyone allowed s3:PutObjectTagging on
 * the object can take the quarantine off.
 */
export function policyGuardsQuarantineTag(policy: string | null, object: QuarantinedObject): boolean {
  if (policy === null) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return false;
  }
  return asList((parsed as Json | null)?.Statement).some((s) => typeof s === 'object' && s !== null && statementProblem(s as Json, object, TAG_CHANGES) === null);
}
