import { isSampleFinding } from '../finding/accessors';
import { block, pass, type Guard } from './types';

/** GuardDuty sample findings name placeholder resources (i-99999999): never act on them. */
export const sampleFindingGuard: Guard = {
  id: 'sample-finding',
  check: ({ finding }) =>
    isSampleFinding(finding)
      ? block('sample-finding', 'service.additionalInfo.sample is true: GuardDuty generated this finding as a sample')
      : pass('sample-finding', 'not a sample finding'),
};
