/* The guard verdicts of the GuardDuty confirmation (ids only: the retry policy and the notification read them too). */

/**
 * Whether GuardDuty holds the finding as delivered: a pass names what was
 * compared, a block what differs. A block is lasting: a retry asks the same
 * question and gets the same answer.
 */
export const FINDING_CONFIRMATION = 'finding-confirmation';

/** GuardDuty could not be asked (a failed read): nothing changes, and a retry may ask again. */
export const CONFIRMATION_UNAVAILABLE = 'confirmation-unavailable';
