import type { Finding } from './schema';

/*
 * The function a Lambda finding names. The finding's lambdaDetails are
 * attacker-influenced text (whoever controls the function chose its name and
 * description, and a forged finding can say anything), so the name, the
 * ARN and the version must each parse cleanly and agree with each other and
 * with the finding's account and region; otherwise the responder acts on
 * nothing. Discovery then asks Lambda, in the finding's account and region,
 * whether the function exists.
 */

/** Lambda function names: letters, digits, hyphens and underscores, 1 to 64 characters. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The qualifiers a finding can name: $LATEST or a published version number. */
const VERSION = /^(\$LATEST|[0-9]{1,10})$/;
const FUNCTION_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export interface FunctionTarget {
  readonly functionName: string;
  /** The version the finding names ($LATEST or a number); null when it names none. */
  readonly version: string | null;
  /** The ARN the finding gives, when it gives one (checked against the name, account and region). */
  readonly findingArn: string | null;
}

export type TargetParse = { readonly ok: true; readonly target: FunctionTarget } | { readonly ok: false; readonly why: string };

export interface ParsedFunctionArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  readonly qualifier: string | null;
}

export function parseFunctionArn(arn: string): ParsedFunctionArn | undefined {
  const match = FUNCTION_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, functionName, qualifier] = match as unknown as [string, string, string, string, string, string | undefined];
  return { partition, region, accountId, functionName, qualifier: qualifier ?? null };
}

/** The function the finding names, or why none is acted on. */
export function functionTargetOf(finding: Finding): TargetParse {
  const details = finding.resource?.lambdaDetails;
  if (!details) return { ok: false, why: 'the finding holds no lambdaDetails' };
  const arnText = details.functionArn ?? null;
  const arn = arnText === null ? undefined : parseFunctionArn(arnText);
  if (arnText !== null && !arn) return { ok: false, why: 'the finding\'s functionArn is not a well-formed Lambda function ARN' };
  const functionName = details.functionName ?? arn?.functionName ?? null;
  if (functionName === null) return { ok: false, why: 'the finding names no function (no functionName, no functionArn)' };
  if (!FUNCTION_NAME.test(functionName)) return { ok: false, why: 'the finding\'s functionName is not a well-formed Lambda function name' };
  if (arn) {
    if (arn.functionName !== functionName) return { ok: false, why: 'the finding\'s functionArn names another function than its functionName' };
    if (finding.accountId && arn.accountId !== finding.accountId) return { ok: false, why: `the finding's functionArn is in account ${arn.accountId}, not the finding's account ${finding.accountId}` };
    if (finding.region && arn.region !== finding.region) return { ok: false, why: `the finding's functionArn is in region ${arn.region}, not the finding's region ${finding.region}` };
  }
  const version = details.functionVersion ?? null;
  if (version !== null && !VERSION.test(version)) return { ok: false, why: 'the finding\'s functionVersion is neither $LATEST nor a version number' };
  if (arn?.qualifier && version !== null && arn.qualifier !== version) {
    return { ok: false, why: 'the finding\'s functionArn names another version than its functionVersion' };
  }
  return { ok: true, target: { functionName, version, findingArn: arnText } };
}

/** The function's name when the finding names one cleanly, else undefined (the incident is then the finding's own). */
export function lambdaFunctionOf(finding: Finding): string | undefined {
  const parsed = functionTargetOf(finding);
  return parsed.ok ? parsed.target.functionName : undefined;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):iam::(\d{12}):role((?:\/[\u0021-\u007E]+?)?\/)([\w+=,.@-]{1,64})$/;

export interface ExecutionRole {
  readonly arn: string;
  readonly accountId: string;
  readonly path: string;
  readonly roleName: string;
}

/** The execution role's ARN as Lambda reports it, parsed; undefined when it is not a well-formed role ARN. */
export function parseRoleArn(arn: string): ExecutionRole | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, , accountId, path, roleName] = match as unknown as [string, string, string, string, string];
  return { arn, accountId, path, roleName };
}
