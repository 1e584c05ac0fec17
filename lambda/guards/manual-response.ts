/**
 * The verdict of a plan that a person must carry out (root, an IAM Identity
 * Center role, a federated session whose issuer is unknown): nothing is
 * changed, and the notification says MANUAL ACTION REQUIRED loudly, first.
 */
export const MANUAL_RESPONSE = 'manual-response';
