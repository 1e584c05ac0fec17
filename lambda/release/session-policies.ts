import { DeleteRolePolicyCommand, DeleteUserPolicyCommand, GetRolePolicyCommand, GetUserPolicyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { REVOKE_POLICY_NAME } from '../iam/revoke-sessions';
import type { RecordedSessionPolicy, RestoreLedger } from '../ledger/restore-record';
import type { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep } from '../plan/types';
import { READ_KEY_STATE, READ_OPEN_REVOCATIONS, REMOVE_SESSION_POLICY } from './specs';

/*
 * The session revocations a release takes back (`ir release --access-key`,
 * `--function`). AWSRevokeOlderSessions is removed only where the record
 * says the principal had none before, only while it is still the
 * responder's shape, and only while no OTHER open restore record of the
 * account revoked the same principal: one policy serves every incident that
 * revoked it, and releasing one resource must not re-enable the sessions
 * another open incident cut (the role's credentials stolen too, say). It
 * stays until the last of them is released (or is removed by hand).
 */

/** The responder's revoke policy, as lambda/iam/revoke-sessions.ts writes it: nothing else is removed. */
export function isResponderRevokePolicy(document: string): boolean {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [];
    if (statements.length !== 1) return false;
    const statement = statements[0] as Record<string, unknown>;
    const all = (value: unknown) => JSON.stringify(value) === '["*"]' || value === '*';
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    return (
      statement.Effect === 'Deny' &&
      all(statement.Action) &&
      all(statement.Resource) &&
      condition !== undefined &&
      Object.keys(condition).join() === 'DateLessThan' &&
      Object.keys(condition.DateLessThan ?? {}).join() === 'aws:TokenIssueTime'
    );
  } catch {
    return false;
  }
}

export function removePolicyStep(principal: RecordedSessionPolicy['principal']): PlannedStep {
  const parameters = principal.kind === 'user' ? { UserName: principal.name, PolicyName: REVOKE_POLICY_NAME } : { RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME };
  return planStep(REMOVE_SESSION_POLICY, {
    id: `remove-session-policy:${principal.kind}:${principal.name}`,
    title: `Remove the responder's ${REVOKE_POLICY_NAME} from IAM ${principal.kind} ${principal.name}`,
    action: principal.kind === 'user' ? 'iam:DeleteUserPolicy' : 'iam:DeleteRolePolicy',
    target: `${principal.kind} ${principal.name}`,
    parameters,
    why: 'the response put it there (the ledger records none before); sessions issued before the response work again',
    stage: 1,
    run: async (ctx) => {
      if (principal.kind === 'user') await ctx.clients.iam.send(new DeleteUserPolicyCommand({ UserName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      else await ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      return { status: 'done' };
    },
  });
}

export async function currentPolicy(clients: AwsClients, reads: ReadLog, principal: RecordedSessionPolicy['principal']): Promise<{ ok: true; document: string | null } | { ok: false; code: string }> {
  const result = await reads.read(READ_KEY_STATE, `Read ${REVOKE_POLICY_NAME} of ${principal.kind} ${principal.name}`, `${principal.kind}/${principal.name}`, async () => {
    try {
      const answer =
        principal.kind === 'user'
          ? await clients.iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: REVOKE_POLICY_NAME }))
          : await clients.iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: REVOKE_POLICY_NAME }));
      return answer.PolicyDocument ? decodeURIComponent(answer.PolicyDocument) : null;
    } catch (error) {
      if (toStepError(error).code === 'NoSuchEntity') return null;
      throw error;
    }
  });
  return result.ok ? { ok: true, document: result.value } : { ok: false, code: result.error.code };
}

export interface SessionPolicyRelease {
  readonly clients: AwsClients;
  readonly reads: ReadLog;
  readonly ledger: RestoreLedger;
  readonly accountId: string;
  /** The record being released: not "another" incident. */
  readonly key: string;
  readonly policies: readonly RecordedSessionPolicy[];
}

function named(others: readonly { key: string; incidentId: string | undefined; kind: string | undefined; resourceId: string | undefined }[]): string {
  return others.map((o) => `${o.incidentId ?? '(no incident id)'} (${o.kind ?? 'record'} ${o.resourceId ?? '?'}, ${o.key})`).join(', ');
}

/** The removal steps that may run, and a warning for each policy left in place and why. */
export async function sessionPolicySteps(args: SessionPolicyRelease, warnings: string[]): Promise<PlannedStep[]> {
  const steps: PlannedStep[] = [];
  for (const policy of args.policies) {
    const { principal } = policy;
    const who = `${principal.kind} ${principal.name}`;
    if (policy.previousDocument !== null) {
      warnings.push(`${who} had a ${REVOKE_POLICY_NAME} policy before the response (it is in the record): it is left in place; remove it by hand if it is not wanted.`);
      continue;
    }
    const current = await currentPolicy(args.clients, args.reads, principal);
    if (!current.ok) {
      warnings.push(`${REVOKE_POLICY_NAME} of ${who} could not be read (${current.code}): it is not removed.`);
      continue;
    }
    if (current.document === null) {
      warnings.push(`${who} has no ${REVOKE_POLICY_NAME} policy now: nothing to remove.`);
      continue;
    }
    if (!isResponderRevokePolicy(current.document)) {
      warnings.push(`${REVOKE_POLICY_NAME} of ${who} is not the responder's (its document was changed): it is left in place.`);
      continue;
    }
    const others = await args.reads.read(READ_OPEN_REVOCATIONS, `Find other open incidents that revoked the sessions of ${who}`, `${args.ledger.tableName} restore#${args.accountId}#*`, () =>
      args.ledger.openRevocationsOf(args.accountId, principal, args.key),
    );
    if (!others.ok) {
      warnings.push(`whether another open incident revoked the sessions of ${who} could not be read from the ledger (${others.error.code}): ${REVOKE_POLICY_NAME} is left in place.`);
      continue;
    }
    if (others.value.length > 0) {
      warnings.push(
        `${REVOKE_POLICY_NAME} of ${who} is kept: ${others.value.length === 1 ? 'another open incident' : `${others.value.length} other open incidents`} revoked its sessions too (${named(others.value)}); ` +
          'release them first; a release removes it only where its own record says the principal had none before, so remove it by hand once none is open if no release does.',
      );
      continue;
    }
    steps.push(removePolicyStep(principal));
  }
  return steps;
}
