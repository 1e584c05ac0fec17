import { isArchivedFinding } from '../finding/accessors';
import { block, pass, type Guard } from './types';

/** Someone archived the finding: a human already decided it needs no response. */
export const archivedFindingGuard: Guard = {
  id: 'archived-finding',
  check: ({ finding }) =>
    isArchivedFinding(finding)
      ? block('archived-finding', 'the finding is archived (service.archived is true)')
      : pass('archived-finding', 'the finding is not archived'),
};
