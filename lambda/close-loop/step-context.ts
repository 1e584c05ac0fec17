import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import type { Finding } from '../finding/schema';
import type { PlanDocument } from '../plan/document';

/** What every close-the-loop step is planned from: the finding, where it runs, and the playbook's own steps it reports on. */
export interface CloseLoopStepContext {
  readonly finding: Finding;
  readonly config: RuntimeConfig;
  /** The security account's clients in the finding's region; absent: planned offline. */
  readonly home: AwsClients | undefined;
  readonly region: string | undefined;
  /** The stack's own region, where config.guardDuty.detectorId is the detector (lambda/confirm/detector.ts); absent: looked up everywhere. */
  readonly stackRegion?: string | undefined;
  /** The playbook's own steps, whose outcomes the step reports or waits on. */
  readonly playbookSteps: readonly { readonly id: string; readonly mutating: boolean }[];
  readonly document: () => PlanDocument;
  readonly stage: number;
}
