import { block, pass, type Guard } from './types';

export const severityFloorGuard: Guard = {
  id: 'below-severity-floor',
  check: ({ finding, playbook, config }) => {
    if (playbook === 'notify') return pass('below-severity-floor', 'notify acts at any severity');
    const floor = config.minSeverity[playbook];
    return finding.severity < floor
      ? block('below-severity-floor', `severity ${finding.severity} is below the ${playbook} floor of ${floor}`)
      : pass('below-severity-floor', `severity ${finding.severity} is at or above the ${playbook} floor of ${floor}`);
  },
};
