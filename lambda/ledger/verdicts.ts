/* The guard verdicts the ledger and the brake add to a response (ids only: the retry policy reads them too). */

/** An earlier delivery of the same finding answered the incident, or is answering it now. */
export const ALREADY_ANSWERED = 'already-answered';

/** The blast-radius brake is on: the hour's containments are used up. */
export const BLAST_RADIUS_BRAKE = 'blast-radius-brake';

/** The ledger could not be written: without it neither "act once" nor the brake can be kept, so nothing is changed. */
export const LEDGER_UNAVAILABLE = 'ledger-unavailable';
