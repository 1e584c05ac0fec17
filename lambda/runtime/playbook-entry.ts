import type { sdkLinkMaker } from '../approval/sdk-link-maker';
import type { ScheduleWriter } from '../approval/schedules';
import type { AwsClients, ClientClasses } from '../aws/clients';
import type { FindingArchiver } from '../close-loop/archiver-type';
import type { FindingConfirmer } from '../confirm/types';
import type { AnyPlaybook } from '../playbooks/types';

/**
 * What one playbook's Lambda code carries: the playbook, the SDK client
 * classes of the services its steps call, and (if it acts) GuardDuty's
 * confirmation of a finding. Each entry point
 * (lambda/handlers/) names its own, so its bundle holds nothing else; a
 * test holds the client classes to the playbook's step declarations.
 */
export interface PlaybookEntry {
  readonly playbook: AnyPlaybook;
  readonly clientClasses: ClientClasses;
  /** GuardDuty's confirmation of a finding before acting (lambda/confirm/): every acting playbook's entry carries it, notify's none. */
  readonly confirmFinding?: FindingConfirmer;
  /** GuardDuty's archive after a completed containment (lambda/close-loop/), when configured: every acting playbook's entry carries it, notify's none. */
  readonly archiveFinding?: FindingArchiver;
  /**
   * Writes the one-time schedules of a response that waits for a decision (lambda/approval/schedules.ts), with the
   * security account's clients. Absent: no response of this function can wait, and a change that needs a decision
   * is not made (reported skipped, saying why).
   */
  readonly scheduleWriter?: (home: AwsClients) => ScheduleWriter;
  /** Signs the decision links of a waiting response's email (lambda/approval/sdk-link-maker.ts): the acting playbooks' entries only. */
  readonly linkMaker?: typeof sdkLinkMaker;
}
