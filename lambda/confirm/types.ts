import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { GuardVerdict } from '../guards/types';
import type { ReadLog } from '../plan/reads';
import type { PlaybookName } from '../routing/playbook-names';

/*
 * The shape of the confirmation (confirmation.ts), apart from its code: the
 * response path takes it from its caller, as it takes the playbooks, so the
 * notify bundle, which never acts, carries no GuardDuty code at all.
 */

export interface ConfirmationInput {
  readonly finding: Finding;
  readonly playbook: PlaybookName;
  readonly config: RuntimeConfig;
  /** The security (home) account's clients in the finding's region. Absent: planned offline, from the finding alone. */
  readonly home: AwsClients | undefined;
  /** The finding's region (or the responder's, when the finding names none). */
  readonly region: string | undefined;
  /**
   * The stack's own region (the Lambda's AWS_REGION; `ir respond`: the region whose stack's configuration is used), where
   * config.guardDuty.detectorId is the detector: asked at once there, looked up with ListDetectors anywhere else. Absent: looked up everywhere.
   */
  readonly stackRegion?: string | undefined;
  readonly reads: ReadLog;
}

/** Starts confirming a finding; settles to its verdicts and never rejects. Undefined for a playbook that never acts. */
export type FindingConfirmer = (input: ConfirmationInput) => Promise<GuardVerdict[]> | undefined;
