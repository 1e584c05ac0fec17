import { QUARANTINE_TAG_VALUE } from './config';

/*
 * The tag alone changes nothing: a Deny statement of the bucket policy makes
 * a tagged version unreadable (docs/playbooks-s3.md gives it). The plan reads
 * the policy and says whether it holds such a statement: an Effect Deny on
 * s3:GetObject (or a wildcard covering it) conditioned on
 * s3:ExistingObjectTag/<key> = quarantined. Whether the statement's
 * exception is the security team is for a person to check; this only says
 * that the tag has an effect.
 */

type Json = Record<string, unknown>;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function coversGetObject(action: unknown): boolean {
  return asList(action).some((a) => typeof a === 'string' && ['s3:getobject', 's3:getobject*', 's3:get*', 's3:*', '*'].includes(a.toLowerCase()));
}

function conditionsOnTag(condition: unknown, tagKey: string): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  const name = `s3:ExistingObjectTag/${tagKey}`.toLowerCase();
  return Object.entries(condition as Json).some(
    ([operator, keys]) =>
      ['stringequals', 'stringequalsignorecase', 'forallvalues:stringequals', 'foranyvalue:stringequals'].includes(operator.toLowerCase()) &&
      typeof keys === 'object' &&
      keys !== null &&
      Object.entries(keys as Json).some(([key, value]) => key.toLowerCase() === name && asList(value).includes(QUARANTINE_TAG_VALUE)),
  );
}

/** Whether the bucket policy denies reading a version tagged `<tagKey>=quarantined`. */
export function policyHonoursQuarantineTag(policy: string | null, tagKey: string): boolean {
  if (policy === null) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return false;
  }
  const statements = asList((parsed as Json | null)?.Statement);
  return statements.some((s) => {
    const statement = s as Json;
    return statement.Effect === 'Deny' && coversGetObject(statement.Action) && conditionsOnTag(statement.Condition, tagKey);
  });
}
