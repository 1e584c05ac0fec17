import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';

/*
 * The tag alone changes nothing: a Deny statement of the bucket policy makes
 * a tagged version unreadable (docs/playbooks-s3.md gives it). The plan reads
 * the policy and says whether it holds such a statement: an Effect Deny on
 * s3:GetObject and s3:GetObjectVersion (or a wildcard covering them) conditioned on
 * s3:ExistingObjectTag/<key> = quarantined. Whether the statement's
 * exception is the security team is for a person to check; this only says
 * that the tag has an effect.
 */

type Json = Record<string, unknown>;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const WILDCARDS = ['s3:getobject*', 's3:get*', 's3:*', '*'];

/** Reading a version needs s3:GetObject (the current one) or s3:GetObjectVersion (by its id): the statement must deny both. */
function coversReads(action: unknown): boolean {
  const actions = asList(action).flatMap((a) => (typeof a === 'string' ? [a.toLowerCase()] : []));
  const covers = (name: string) => actions.some((a) => a === name || WILDCARDS.includes(a));
  return covers('s3:getobject') && covers('s3:getobjectversion');
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
    return statement.Effect === 'Deny' && coversReads(statement.Action) && conditionsOnTag(statement.Condition, tagKey);
  });
}
