import { accountNotAllowedGuard } from './account-not-allowed';
import { archivedFindingGuard } from './archived-finding';
import { dryRunGuard } from './dry-run';
import { exemptTagGuard } from './exempt-tag';
import { sampleFindingGuard } from './sample-finding';
import { severityFloorGuard } from './severity-floor';
import type { Guard, GuardContext, GuardVerdict } from './types';
import { unknownAccountGuard } from './unknown-account';

/** Every guard, checked before any mutating call, in the order they are reported. */
export const GUARDS: readonly Guard[] = [
  sampleFindingGuard,
  archivedFindingGuard,
  unknownAccountGuard,
  accountNotAllowedGuard,
  severityFloorGuard,
  exemptTagGuard,
  dryRunGuard,
];

export function evaluateGuards(ctx: GuardContext, guards: readonly Guard[] = GUARDS): GuardVerdict[] {
  return guards.map((guard) => guard.check(ctx));
}

export function blockingGuardIds(verdicts: readonly GuardVerdict[]): string[] {
  return verdicts.filter((v) => v.blocks).map((v) => v.id);
}
