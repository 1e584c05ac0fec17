import type { StepSpec } from '../plan/types';

/*
 * The calls that keep an incident's evidence. Neither changes the finding's
 * account, so neither is mutating: a dry-run keeps its evidence too (see
 * steps.ts for why).
 */

/**
 * One object into the security account's evidence bucket. The bucket is
 * SSE-KMS encrypted with the stack's key: a PutObject needs
 * kms:GenerateDataKey on it (a single-part upload never needs kms:Decrypt).
 * Never in the member role: evidence is written with the security account's
 * own credentials.
 */
export const WRITE_EVIDENCE: StepSpec = {
  kind: 'write-evidence',
  iamActions: ['s3:PutObject', 'kms:GenerateDataKey'],
  mutating: false,
};

/** The instance's serial console output, read in the finding's account (so the member role holds it). */
export const READ_CONSOLE_OUTPUT: StepSpec = {
  kind: 'read-console-output',
  iamActions: ['ec2:GetConsoleOutput'],
  mutating: false,
};
