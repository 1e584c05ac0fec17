import { ModifyInstanceAttributeCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { worstCaseCallMs } from '../../../aws/clients';
import { ResponderError } from '../../../aws/errors';
import type { ExecutionContext } from '../../../plan/types';

/*
 * The untrack group allows everything, so an ENI moved onto it must reach
 * the isolation group, or go back to its own groups, before Lambda's
 * timeout: a killed invocation leaves it open with no restore and no
 * notification. The executor only checks the deadline before a step
 * starts, and one call as the SDK retries it can take longer than the
 * whole invocation (worstCaseCallMs: 55 s with the default settings, for a
 * 90 s playbook). So each move is bounded here, and the untrack move starts
 * only when its own call, the isolation move and the restore all fit in
 * the time left before the deadline; otherwise the ENI goes straight to the
 * isolation group.
 */

/**
 * The SDK's worst case is far longer than a playbook's timeout allows for
 * three moves. A move is answered in well under a second; 12 s leaves room
 * for an attempt that times out and retries, and three moves (36 s) still
 * fit in the 66 s a 90 s playbook has before its deadline (the executor
 * stops waiting for any step STEP_OVERRUN_MS, 12 s, after the deadline).
 */
const MOVE_CALL_CAP_MS = 12_000;

/** The longest one move (untrack, isolation, restore) is waited for: the client's worst case, capped. */
export const MOVE_CALL_LIMIT_MS = Math.min(worstCaseCallMs(), MOVE_CALL_CAP_MS);

/** The time the untrack move needs before the deadline: its own call, then the isolation move, then a restore if that fails. */
export const UNTRACK_TIME_NEEDED_MS = 3 * MOVE_CALL_LIMIT_MS;

export const MOVE_NOT_ANSWERED = 'MoveNotAnswered';

const seconds = (ms: number): string => `${Math.max(0, Math.floor(ms / 100)) / 10} s`;

/** Why the untrack move of this ENI must not start now, or null when there is time (or no deadline at all). */
export function untrackTimeShortfall(ctx: ExecutionContext, networkInterfaceId: string): string | null {
  if (!ctx.timeLeftMs) return null;
  const left = ctx.timeLeftMs();
  if (left >= UNTRACK_TIME_NEEDED_MS) return null;
  return (
    `only ${seconds(left)} left before the deadline, less than the ${seconds(UNTRACK_TIME_NEEDED_MS)} the untrack move, the isolation move and a restore ` +
    `may take (${seconds(MOVE_CALL_LIMIT_MS)} each): ${networkInterfaceId} goes straight to the isolation group, so its tracked connections (an established session) are NOT cut`
  );
}

/**
 * Moves the ENI, waiting at most MOVE_CALL_LIMIT_MS: the SDK is told to
 * abandon the call, and the wait ends then even if it does not. A move not
 * answered in time may still be applied by EC2, so it is a failure, never
 * a success, and retryable.
 */
export async function sendMove(ctx: Pick<ExecutionContext, 'clients'>, networkInterfaceId: string, groups: string[], limitMs: number = MOVE_CALL_LIMIT_MS): Promise<void> {
  await bounded(`moving ${networkInterfaceId} to ${groups.join(', ')}`, limitMs, (abortSignal) =>
    ctx.clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, Groups: groups }), { abortSignal }),
  );
}

/**
 * Moves the instance's one network interface by the instance's id
 * (ModifyInstanceAttribute Groups), bounded like sendMove. EC2 refuses it
 * for an instance with several network interfaces, so it never moves an
 * interface that is not the instance's only one (lambda/playbooks/contain-instance/early/).
 */
export async function sendInstanceMove(ctx: Pick<ExecutionContext, 'clients'>, instanceId: string, groups: string[], limitMs: number = MOVE_CALL_LIMIT_MS): Promise<void> {
  await bounded(`moving the network interface of ${instanceId} to ${groups.join(', ')}`, limitMs, (abortSignal) =>
    ctx.clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: groups }), { abortSignal }),
  );
}

async function bounded(what: string, limitMs: number, call: (abortSignal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ResponderError(MOVE_NOT_ANSWERED, `${what} was not answered within ${seconds(limitMs)}; EC2 may still apply it`, true));
    }, limitMs);
  });
  try {
    await Promise.race([call(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The wait for an isolation move that no restore can follow (the ENI was
 * never sent to the untrack group): it needs no restore budget, so it may
 * use the time left before the deadline, and never less than a bounded move.
 */
export function isolationOnlyLimitMs(ctx: ExecutionContext): number {
  return ctx.timeLeftMs ? Math.max(ctx.timeLeftMs(), MOVE_CALL_LIMIT_MS) : MOVE_CALL_LIMIT_MS;
}
