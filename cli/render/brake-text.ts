import type { BrakeState } from '../brake/brake-state';
import { safePaintedLine, untrusted as v, untrustedText as t } from '../../lambda/text/untrusted';
import { RELEASE_COMMAND } from '../../lambda/ledger/brake-verdict';
import { paint } from './colors';

/* `ir brake status` and `ir brake release` for the terminal. Ledger values can come from a finding: escaped and bounded. */

export function renderBrakeState(state: BrakeState): string[] {
  const latch = state.latched;
  const lines = [
    `${paint('bold', 'blast-radius brake')}  table ${v(state.table)}  region ${v(state.region)}  (read ${v(state.readAt)})`,
    latch
      ? `  state   ${paint('red', 'LATCHED')} since ${v(latch.engagedAt)}: no containment starts until it is released (${RELEASE_COMMAND})`
      : `  state   ${paint('green', 'not latched')}`,
    ...(latch ? [`  why     ${t(latch.reason)}`, `  by      finding ${v(latch.findingId)} (${v(latch.playbook)}, incident ${v(latch.incidentId)})`] : []),
    `  slots   ${state.held.length} of ${state.limit} held within the rolling hour${state.held.length > state.limit ? ' (more than the configured limit: the limit was lowered)' : ''}`,
    ...state.held.map(
      (slot) =>
        `    #${String(slot.slot).padStart(3, '0')}  ${v(slot.reservedAt)}  ${v(slot.playbook ?? '(unknown)')}  incident ${v(slot.incidentId ?? '(unknown)')}  ` +
        `finding ${v(slot.findingId ?? '(unknown)')}  ${paint('dim', `ages out ${v(slot.agesOutAt)}`)}`,
    ),
  ];
  return lines.map(safePaintedLine);
}
