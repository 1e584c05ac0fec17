import { block, pass, type Guard } from './types';

export const dryRunGuard: Guard = {
  id: 'dry-run',
  check: ({ dryRun, dryRunReason, config }) => {
    if (!dryRun) return pass('dry-run', 'enforce: the plan is executed');
    const why = dryRunReason ?? (config.mode === 'dry-run' ? 'the stack runs in dry-run mode' : 'this run was requested as a dry-run');
    return block('dry-run', `${why}: the plan is shown, nothing is changed`);
  },
};
