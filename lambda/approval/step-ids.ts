/* The ids of the steps the wait adds to a plan (lambda/respond/wait.ts): named here so the ledger's answer reads them without importing the wait. */
export const APPROVAL_REQUEST_STEP_ID = 'approval:request';
