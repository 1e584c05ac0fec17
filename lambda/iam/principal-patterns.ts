/*
 * Principal patterns of the configuration (credentials.exemptPrincipals,
 * credentials.protectedPrincipals): IAM role or user ARNs without a path,
 * `*` standing for any run of characters in the account or the name.
 *
 *   arn:aws:iam::111122223333:role/BreakGlass
 *   arn:aws:iam::*:role/BreakGlass-*
 *
 * Why the rules are what they are:
 * - Anchored: `role/Admin` never matches `role/AdminHelper`; only a `*`
 *   widens a pattern.
 * - The kind (role / user) must match exactly: a user and a role may share a
 *   name.
 * - Names compare case-insensitively. IAM keeps names unique regardless of
 *   case (there cannot be both "BreakGlass" and "breakglass" in one account)
 *   and resolves a name in any case to the one principal, so a finding (or a
 *   direct invocation) spelling the name in another case names the same
 *   principal and must meet the same refusal.
 * - No path: a name is unique in its account whatever its path, so the
 *   pattern names the principal; the path the finding would need is not in it.
 * - A principal whose account is unknown is matched on its kind and name
 *   alone: these patterns only ever stop the responder, so an unknown
 *   account makes a refusal more likely, never an action.
 */

/** The pattern text as the configuration takes it (validated by lambda/config/schema.ts). */
export const PRINCIPAL_PATTERN = /^arn:aws:iam::(\d{12}|\*):(role|user)\/([\w+=,.@*-]{1,64})$/;

export const PRINCIPAL_PATTERN_MESSAGE =
  'must be an IAM role or user ARN without a path, such as "arn:aws:iam::111122223333:role/BreakGlass": ' +
  'the account is 12 digits or *, the name is 1 to 64 of letters, digits and +=,.@_- with * matching any run of characters';

export type PrincipalKind = 'role' | 'user';

/** A principal the responder might act on. */
export interface PrincipalRef {
  readonly kind: PrincipalKind;
  readonly name: string;
  /** The principal's account, or null when the finding names none. */
  readonly accountId: string | null;
}

interface CompiledPattern {
  readonly text: string;
  readonly account: string;
  readonly kind: PrincipalKind;
  readonly name: RegExp;
}

function compile(text: string): CompiledPattern {
  const parts = PRINCIPAL_PATTERN.exec(text);
  // The schema rejects such a pattern first; one that slips through matches nothing rather than everything.
  if (!parts) throw new Error(`not a principal pattern: ${JSON.stringify(text)} ${PRINCIPAL_PATTERN_MESSAGE}`);
  const [, account, kind, name] = parts as unknown as [string, string, PrincipalKind, string];
  const body = name
    .split('*')
    .map((literal) => literal.replace(/[.+=,@-]/g, (c) => `\\${c}`))
    .join('.*');
  return { text, account, kind, name: new RegExp(`^${body}$`, 'i') };
}

/** The first pattern naming the principal, or undefined. */
export function matchingPrincipalPattern(patterns: readonly string[], principal: PrincipalRef): string | undefined {
  for (const text of patterns) {
    const pattern = compile(text);
    if (pattern.kind !== principal.kind) continue;
    if (pattern.account !== '*' && principal.accountId !== null && pattern.account !== principal.accountId) continue;
    if (pattern.name.test(principal.name)) return pattern.text;
  }
  return undefined;
}

/** How a principal is named in reports and warnings: "role BreakGlass", "IAM user deploy-bot". */
export function principalName(principal: Pick<PrincipalRef, 'kind' | 'name'>): string {
  return `${principal.kind === 'role' ? 'role' : 'IAM user'} ${principal.name}`;
}
