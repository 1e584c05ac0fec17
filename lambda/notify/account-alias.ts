import type { AwsClients } from '../aws/clients';
import { ResponderError } from '../aws/errors';
import { ReadLog } from '../plan/reads';
import type { StepOutcome, StepSpec } from '../plan/types';

/*
 * The finding's account by its IAM alias, for the notification's subject and
 * summary. A courtesy, never a condition: the read starts once the
 * isolation moves are sent (lambda/respond/isolation-first.ts; nothing waits
 * for it but the notification), is bounded by ALIAS_READ_LIMIT_MS, and when it
 * fails the notification names the account by its id, the failed read
 * reported. A name in the configuration (accountNames) wins, and then the
 * alias is not read at all.
 *
 * The alias is the member account's own text: anyone there with
 * iam:CreateAccountAlias sets it. It is checked against IAM's own format,
 * one that can never pass for an account id, escaped by every rendering like
 * the rest of the finding, and always shown beside the id, never instead.
 */

/** ListAccountAliases in the finding's account: the member role there, the responder's own role in the security account. */
export const READ_ACCOUNT_ALIAS: StepSpec = { kind: 'read-account-alias', iamActions: ['iam:ListAccountAliases'], mutating: false };

/** The alias is only worth so much waiting: the notification goes out without it after this long. */
export const ALIAS_READ_LIMIT_MS = 1_500;

/** IAM's alias format (3 to 63 lowercase letters, digits and single hyphens); all digits refused, so it never reads as an account id. */
const ALIAS = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

export function isPlausibleAlias(alias: string): boolean {
  return ALIAS.test(alias) && !/^\d+$/.test(alias);
}

export interface AccountName {
  /** The configuration's name of the account (accountNames): the operator's own words, shown instead of the id. */
  readonly configured?: string;
  /** The account's IAM alias: shown beside the id. */
  readonly alias?: string;
  /** The alias read, when it was made (its failure is reported with the other failed reads). */
  readonly read?: StepOutcome;
}

class AliasReadTimedOut extends ResponderError {
  constructor(limitMs: number) {
    super('AliasReadTimedOut', `iam:ListAccountAliases not answered within ${limitMs} ms: the account is named by its id`, false);
  }
}

/** Bounded: the request is abandoned (aborted) at the limit. */
async function listAliases(clients: AwsClients, limitMs: number): Promise<readonly string[]> {
  const iam = await clients.load('iam');
  // Imported on first use like the client class of a bundle that needs IAM for nothing else (lambda/runtime/account-alias-iam.ts): no IAM code at its cold start.
  const { ListAccountAliasesCommand } = await import('./iam-alias-command');
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new AliasReadTimedOut(limitMs));
    }, limitMs);
  });
  try {
    const answer = await Promise.race([iam.send(new ListAccountAliasesCommand({}), { abortSignal: abort.signal }), late]);
    return answer.AccountAliases ?? [];
  } finally {
    clearTimeout(timer);
  }
}

export interface AccountNameInput {
  readonly accountId: string | null | undefined;
  readonly accountNames: Readonly<Record<string, string>> | undefined;
  /** The clients of the finding's account (the member role's, or the responder's own); undefined when it was not reached. */
  readonly clients: AwsClients | undefined;
  readonly localEmulator?: boolean;
  readonly limitMs?: number;
  /** The discovery phase's cut-off (lambda/plan/pre-plan-budget.ts): past it, a response out of time sends nothing more, this read included. */
  readonly notAfterMs?: number;
}

/** Never rejects: every failure is the read's, and the account keeps its id. */
export async function accountNameOf(input: AccountNameInput): Promise<AccountName> {
  const { accountId } = input;
  const configured = accountId ? input.accountNames?.[accountId] : undefined;
  if (configured) return { configured };
  if (!accountId || !input.clients) return {};
  if (input.notAfterMs !== undefined && Date.now() >= input.notAfterMs) return {};
  const { clients } = input;
  const reads = new ReadLog(undefined, { localEmulator: input.localEmulator });
  const answer = await reads.read(READ_ACCOUNT_ALIAS, `Read the IAM alias of account ${accountId}`, accountId, () => listAliases(clients, input.limitMs ?? ALIAS_READ_LIMIT_MS));
  // A courtesy read: its failure must not make the response PARTIAL (nor keep the finding from being archived, nor the
  // incident from being answered), so it is reported skipped, with the AWS error code, and the id is shown.
  const outcome = reads.outcomes[0];
  const read = outcome && outcome.status === 'failed'
    ? { ...outcome, status: 'skipped' as const, reason: `not read (${outcome.error?.code ?? 'UnknownError'}: ${outcome.error?.message ?? ''}): the account is named by its id`, error: undefined }
    : outcome;
  const alias = answer.ok ? answer.value[0] : undefined;
  return { ...(alias !== undefined && isPlausibleAlias(alias) ? { alias } : {}), ...(read ? { read } : {}) };
}
