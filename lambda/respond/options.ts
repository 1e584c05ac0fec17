import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { RuntimeConfig } from '../config/schema';
import type { FindingArchiver } from '../close-loop/archiver-type';
import type { FindingConfirmer } from '../confirm/types';
import type { EvidenceBucket } from '../evidence/destination';
import type { PlanDocument } from '../plan/document';
import type { PlannedStep } from '../plan/types';
import type { DiscoveryContext, ResponderIdentity } from '../playbooks/types';
import type { RestoreLedger } from '../ledger/restore-record';
import type { LedgerOptions, SettledGate } from './gate';
import type { ApprovalWaitOptions } from './wait';

/** How one finding is answered: by the Lambda handler, `ir`, the demo and the tests alike. */
export interface RespondOptions {
  readonly config: RuntimeConfig;
  /** Clients for the finding's account and region. Absent (and no `access`): plan offline from the finding alone. */
  readonly clients?: AwsClients;
  /**
   * Reaches the finding's account itself, instead of `clients`: the
   * responder's own account as is, any other through its member role
   * (finding-account.ts). The notification is published from the home account.
   */
  readonly access?: AccountAccess;
  /** With `access`: the region of a finding that names none. */
  readonly defaultRegion?: string;
  /**
   * The region of the stack whose configuration this is (the Lambda's AWS_REGION), where config.guardDuty.detectorId is
   * GuardDuty's detector: the confirmation and the archive use it there and look the detector up anywhere else. Absent: looked up everywhere.
   * Not defaultRegion: the Lambda handler sets that to the finding's region.
   */
  readonly stackRegion?: string;
  /** No mutating call is made when true. */
  readonly dryRun: boolean;
  readonly dryRunReason?: string;
  /** Where the request came from, as its sender said (a Security Hub custom action): kept in the plan document, as given. */
  readonly requestedBy?: Readonly<Record<string, string>>;
  readonly topicArn?: string;
  /** The chat topic (AWS Chatbot): the same notification as chat JSON is published there too. Absent: email only. */
  readonly chatTopicArn?: string;
  /** SNS client for the topic's account, when the playbook acts in another account. Defaults to `clients.sns`. */
  readonly notificationSns?: SNSClient;
  /** Set when nobody is to be notified (the daily heartbeat): the notification step is skipped with this reason. */
  readonly notificationSkipReason?: string;
  /** The security account's evidence bucket. Absent: the plan's one evidence step is skipped, saying so. */
  readonly evidence?: EvidenceBucket;
  /** The bucket's client. Defaults to the home account's (`access`) in the bucket's region, else `clients.s3`. */
  readonly evidenceS3?: S3Client;
  readonly responder: ResponderIdentity;
  readonly now?: () => Date;
  /**
   * No step but the notification starts after this (epoch ms): the Lambda handler's timeout, less what the end of a response needs.
   * The response's one deadline: every call before the plan ends before it too, at its phase's cut-off (lambda/plan/pre-plan-budget.ts).
   */
  readonly deadlineMs?: number;
  /** The incident ledger and the blast-radius brake (lambda/respond/gate.ts). Absent: every delivery is answered in full. */
  readonly ledger?: LedgerOptions;
  /** The restore records in the ledger (lambda/ledger/restore-record.ts), written before the first change. Absent: the tags are the only record. */
  readonly restoreLedger?: RestoreLedger;
  /**
   * Confirms the finding with GuardDuty before an acting playbook changes anything (lambda/confirm/). The caller's, as the
   * playbooks are: respond.ts passes it, a Lambda entry point its own (notify carries none, and never needs it).
   */
  readonly confirmFinding?: FindingConfirmer;
  /** Archives the finding after a completed containment, when configured (lambda/close-loop/): the caller's, as the confirmation is. */
  readonly archiveFinding?: FindingArchiver;
  /** How a response waits for a person's decision (lambda/respond/wait.ts). Absent: a change that needs one is not made, saying so. */
  readonly approval?: ApprovalWaitOptions;
  /**
   * The Lambda's own responses: contain-instance may send its first isolation move before any read, with the groups its
   * warm container remembers (lambda/playbooks/contain-instance/early/, lambda/respond/early-move-allowed.ts). Absent
   * (`ir respond`, most tests): every change waits for the reads and checks, as before.
   */
  readonly earlyMove?: boolean;
}

export interface PreparedPlan {
  readonly document: PlanDocument;
  readonly steps: readonly PlannedStep[];
  /** What the plan executes with, when `access` chose it. */
  readonly clients?: AwsClients;
  /** Records the report in the ledger, with the ledger's options. */
  readonly gate?: { readonly settled: SettledGate; readonly table: string; readonly key: string };
  /** The steps' restore records (RespondOptions.restoreLedger). */
  readonly restoreLedger?: RestoreLedger;
  /** config.localEmulator: the calls moto cannot answer are recorded "not available in the local emulator" (lambda/aws/local-emulator-gaps.ts). */
  readonly localEmulator?: boolean;
}

/** What a playbook's discovery reads besides the finding's account: the restore records, when the response has a ledger. */
export function discoveryContextOf(options: RespondOptions): DiscoveryContext {
  return options.restoreLedger ? { restoreLedger: options.restoreLedger } : {};
}
