/* The guard verdicts the ledger and the brake add to a response (ids only: the retry policy reads them too). */

/** An earlier delivery of the same finding answered the incident, or is answering it now. */
export const ALREADY_ANSWERED = 'already-answered';

/**
 * Another delivery holds a live claim on the incident and has not answered
 * it: this one changes nothing now and fails its invocation, so Lambda
 * retries it. The holder may be a forged copy GuardDuty will not confirm,
 * which answers nothing: the retry then claims the incident, or finds it
 * answered. Not lasting, unlike ALREADY_ANSWERED.
 */
export const BEING_ANSWERED = 'being-answered';

/** The blast-radius brake is on: the hour's containments are used up. */
export const BLAST_RADIUS_BRAKE = 'blast-radius-brake';

/** The ledger could not be written: without it neither "act once" nor the brake can be kept, so nothing is changed. */
export const LEDGER_UNAVAILABLE = 'ledger-unavailable';

/**
 * The incident's claim could not be written, or was not answered in time: like LEDGER_UNAVAILABLE, nothing is changed,
 * and besides, whether this delivery or another holds the incident is not known. A change this delivery sent before the
 * claim's answer (an early move) is left as a holder would want it, closed (lambda/plan/repeat-delivery.ts holderUnknown).
 */
export const CLAIM_UNAVAILABLE = 'claim-unavailable';

/**
 * A new finding about a resource whose incident another finding opened and
 * answered: it joins that incident and changes nothing (lambda/ledger/resource-incidents.ts).
 * Lasting, like ALREADY_ANSWERED: a retry joins the same way.
 */
export const JOINED_INCIDENT = 'joined-incident';
